import { Break, ChainHead, ChainVerifier, ChainedRecord, GENESIS } from '@hitl/audit-trail';
import { serviceTable } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface WorkspaceVerification {
  workspace: string;
  ok: boolean;
  checked: number;
  /** The last good link: export it to prove later that the log only grew. */
  head: ChainHead;
  first_break: (Break & { seq: string }) | null;
}

const PAGE = 5_000;

interface EventRow extends Omit<ChainedRecord, 'occurred_at' | 'chain_index'> {
  seq: string;
  chain_index: string;
  occurred_at: Date;
}

/** Recomputes each workspace's chain from its start and reports the first broken link. */
@Injectable()
export class VerifyService {
  constructor(private readonly dataSource: DataSource) {}

  async verify(workspace?: string): Promise<WorkspaceVerification[]> {
    const workspaces = workspace
      ? [workspace]
      : (
          await this.dataSource.query(
            `SELECT workspace FROM ${this.table('events')} GROUP BY workspace UNION SELECT workspace FROM ${this.table('chain_checkpoints')} ORDER BY 1`,
          )
        ).map((r: { workspace: string }) => r.workspace);
    const results: WorkspaceVerification[] = [];
    for (const ws of workspaces) results.push(await this.verifyWorkspace(ws));
    return results;
  }

  private async verifyWorkspace(workspace: string): Promise<WorkspaceVerification> {
    const [checkpoint] = await this.dataSource.query(
      `SELECT chain_index::int AS chain_index, hash FROM ${this.table('chain_checkpoints')} WHERE workspace = $1`,
      [workspace],
    );
    const verifier = new ChainVerifier(workspace, checkpoint ?? { chain_index: 0, hash: GENESIS });
    let after: number = checkpoint?.chain_index ?? 0;
    for (;;) {
      const rows: EventRow[] = await this.dataSource.query(
        `SELECT seq, event_id, workspace, chain_index, topic, type, decision_id, actor_kind, actor_id, action, occurred_at, manifest_version, event, prev_hash, hash,
                verified, signer, refusal
           FROM ${this.table('events')} WHERE workspace = $1 AND chain_index > $2 ORDER BY chain_index LIMIT $3`,
        [workspace, after, PAGE],
      );
      for (const row of rows) {
        const { seq, ...rest } = row;
        const found = verifier.next({ ...rest, chain_index: Number(row.chain_index), occurred_at: row.occurred_at.toISOString() });
        if (found) return { workspace, ok: false, checked: verifier.checked, head: verifier.head, first_break: { ...found, seq } };
      }
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].chain_index);
    }
    return { workspace, ok: true, checked: verifier.checked, head: verifier.head, first_break: null };
  }

  private table(name: string): string {
    return serviceTable(this.dataSource.manager, name);
  }
}
