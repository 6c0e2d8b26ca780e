import { HistoricalDecision, ReplayReport, mergeReplays, replay } from '@hitl/calibration';
import { DecisionProposedData } from '@hitl/contracts';
import { ManifestError, Verdict, loadManifest } from '@hitl/policy';
import { ManifestStore, serviceTable } from '@hitl/service-kit';
import { HttpException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ReplayResult extends ReplayReport {
  since: string;
  candidate_version: string;
  current_version: string;
}

const PAGE = 2_000;

/** Re-routes the decisions this service has seen with a candidate manifest; never changes anything. */
@Injectable()
export class ReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
  ) {}

  async replay(candidateYaml: string, sinceDays: number, workspaces: string[] | '*', now: Date): Promise<ReplayResult> {
    let candidate;
    try {
      candidate = loadManifest(candidateYaml);
    } catch (error) {
      if (error instanceof ManifestError) {
        throw new HttpException({ statusCode: 422, code: 'invalid_manifest', message: 'the candidate manifest is invalid', issues: error.issues }, 422);
      }
      throw error;
    }
    // Against the manifest that routed them: one workspace's own, else the default.
    const current = this.manifests.forWorkspace(workspaces !== '*' && workspaces.length === 1 ? workspaces[0] : null).manifest;
    const since = new Date(now.getTime() - sinceDays * 86_400_000);
    const [decisions, labels] = [serviceTable(this.dataSource.manager, 'decisions'), serviceTable(this.dataSource.manager, 'labels')];
    let report: ReplayReport = replay([], candidate, current, now);
    let after: { at: Date; id: string } | null = null;
    // A page at a time, in proposal order: history can be large.
    for (;;) {
      const rows: { decision_id: string; proposed_at: Date; proposal: DecisionProposedData; routed_verdict: Verdict | null; correct: boolean | null }[] =
        await this.dataSource.query(
          `SELECT d.decision_id, d.proposed_at, d.proposal, d.routed_verdict, l.correct
           FROM ${decisions} d
           LEFT JOIN LATERAL (SELECT correct FROM ${labels} WHERE decision_id = d.decision_id ORDER BY labeled_at DESC LIMIT 1) l ON true
          WHERE d.proposed_at >= $1
            AND ($2::text[] IS NULL OR d.workspace = ANY ($2))
            AND ($3::timestamptz IS NULL OR (d.proposed_at, d.decision_id) > ($3, $4::uuid))
          ORDER BY d.proposed_at, d.decision_id
          LIMIT $5`,
          [since, workspaces === '*' ? null : workspaces, after?.at ?? null, after?.id ?? null, PAGE],
        );
      const page: HistoricalDecision[] = rows.map((r) => ({ proposal: r.proposal, routed_verdict: r.routed_verdict, correct: r.correct }));
      report = mergeReplays(report, replay(page, candidate, current, now));
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = { at: last.proposed_at, id: last.decision_id };
    }
    return { ...report, since: since.toISOString(), candidate_version: candidate.version, current_version: current.version };
  }
}
