import { completesApproval, refuse, refuseEdit } from '@hitl/approvals';
import { AnyEvent, Reason, payloadHash } from '@hitl/contracts';
import { Outbox, OutboxRelay } from '@hitl/messaging';
import { route } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { resolved } from '../approvals/approval-events';
import { approvalNotFound, refused } from '../approvals/approval.errors';
import { ApprovalRow, finish, lockApproval, table, toState } from '../approvals/approvals.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { DecisionCommand } from './decision-commands';

export type { DecisionCommand } from './decision-commands';

export interface DecisionResult {
  approval_id: string;
  decision_id: string;
  status: 'approved' | 'denied' | 'reviewed' | 'awaiting_approvals';
  approvals: string[];
  required_approvals: number;
  payload_hash: string;
}

export type BatchResult =
  | { approval_id: string; ok: true; result: DecisionResult }
  | { approval_id: string; ok: false; error: { statusCode: number; code: string; message: string } };

const decided = new Counter({ name: 'hitl_escalation_decisions_total', help: 'Reviewer decisions, by act and outcome', labelNames: ['act', 'outcome'] });

const fail = (statusCode: number, code: string, message: string) => new HttpException({ statusCode, code, message }, statusCode);

/**
 * A reviewer's decision, in one transaction that locks the approval: concurrent decisions
 * queue on the row and exactly one resolves it (the other gets 409). Authority comes from
 * the pure rules; the requester-never-approves rule is also a database constraint.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly relay: OutboxRelay,
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async decide(actor: AuthenticatedReviewer, approvalId: string, command: DecisionCommand): Promise<DecisionResult> {
    try {
      const result = await this.dataSource.transaction((manager) => this.decideIn(manager, actor, approvalId, command, new Date()));
      this.relay.nudge();
      decided.inc({ act: command.act, outcome: result.status });
      this.logger.info({ approval_id: approvalId, reviewer: actor.id, act: command.act, status: result.status }, 'reviewer decision');
      return result;
    } catch (error) {
      if (error instanceof HttpException) decided.inc({ act: command.act, outcome: `refused_${error.getStatus()}` });
      throw error;
    }
  }

  /** Many decisions, each on its own: every item gets a result, none is dropped. */
  async decideBatch(actor: AuthenticatedReviewer, items: (DecisionCommand & { approval_id: string })[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const { approval_id, ...command } of items) {
      try {
        results.push({ approval_id, ok: true, result: await this.decide(actor, approval_id, command as DecisionCommand) });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const body = error.getResponse() as { code?: string; message?: string };
        results.push({ approval_id, ok: false, error: { statusCode: error.getStatus(), code: body.code ?? 'refused', message: body.message ?? error.message } });
      }
    }
    return results;
  }

  private async decideIn(manager: EntityManager, actor: AuthenticatedReviewer, approvalId: string, command: DecisionCommand, now: Date): Promise<DecisionResult> {
    let row = await lockApproval(manager, approvalId);
    if (!row) throw approvalNotFound(approvalId);
    const refusal = refuse(actor, toState(row), command.act, command.payload_hash);
    if (refusal) throw refused(refusal);
    if ('chosen_option' in command && command.chosen_option) this.checkOption(row, command.chosen_option);

    if (row.route === 'post_review') {
      // The action already ran and its outcome was published; a review confirms it or rolls it back.
      if (command.act !== 'approve') throw fail(422, 'use_rollback', 'this action already ran: approve confirms it, POST /approvals/:id/rollback undoes it');
      await finish(manager, row.approval_id, 'reviewed', { reviewed_by: actor.id, notes: command.notes ?? null });
      return this.result(row, 'reviewed', [actor.id]);
    }

    if (command.act === 'deny') {
      const resolution = {
        status: 'denied' as const,
        resolvedBy: { kind: 'reviewer' as const, id: actor.id },
        reasons: [{ rule: 'reviewer_denied', detail: `denied by ${actor.id}: ${command.reason}` }],
        notes: command.notes ?? null,
        chosenOption: null,
      };
      await finish(manager, row.approval_id, 'denied', resolution);
      await this.outbox.publish(manager, [resolved(row, resolution, now)]);
      return this.result(row, 'denied', row.approved_by);
    }

    const extraReasons: Reason[] = [];
    if (command.act === 'edit') {
      row = await this.applyEdit(manager, actor, row, command.parameters, now);
      extraReasons.push({ rule: 'reviewer_edited', detail: `parameters edited by ${actor.id}; the policy re-ran on them` });
    }

    try {
      await manager.query(
        `INSERT INTO ${table(manager, 'approval_votes')} (approval_id, reviewer_id, on_behalf_of, payload_hash) VALUES ($1, $2, $3, $4)`,
        [row.approval_id, actor.id, row.on_behalf_of, row.payload_hash],
      );
    } catch (error) {
      // The database's own guard behind the API's: the requester never approves.
      if ((error as { code?: string }).code === '23514') throw fail(403, 'requester', `${actor.id} is the person this action is for and may not approve it`);
      throw error;
    }
    const approvers = [...row.approved_by, actor.id];
    if (!completesApproval(toState(row), actor.id)) return this.result(row, 'awaiting_approvals', approvers);

    const resolution = {
      status: 'approved' as const,
      resolvedBy: { kind: 'reviewer' as const, id: actor.id },
      reasons: [...extraReasons, ...approvers.map((id) => ({ rule: 'reviewer_approved', detail: `approved by ${id}` }))],
      notes: command.notes ?? null,
      chosenOption: command.chosen_option ?? null,
    };
    await finish(manager, row.approval_id, 'approved', resolution);
    const events: AnyEvent[] = [resolved(row, resolution, now)];
    await this.outbox.publish(manager, events);
    return this.result(row, 'approved', approvers);
  }

  /** Edit-then-approve: the edited parameters are judged as a new proposal by the manifest in force. */
  private async applyEdit(manager: EntityManager, actor: AuthenticatedReviewer, row: ApprovalRow, parameters: Record<string, unknown>, now: Date): Promise<ApprovalRow> {
    const { manifest } = this.manifests.current;
    const rerouted = route({ ...row.request.decision, parameters, recommended_review: false }, manifest, now);
    const refusal = refuseEdit(actor, toState(row), {
      verdict: rerouted.verdict,
      reviewerRole: rerouted.approval?.reviewer_role ?? null,
      decidedBy: rerouted.reasons.at(-1)?.detail ?? rerouted.verdict,
    });
    if (refusal) throw refused(refusal);
    const hash = payloadHash(row.action, parameters);
    // Votes were for the old payload; an edit asks everyone again.
    await manager.query(`DELETE FROM ${table(manager, 'approval_votes')} WHERE approval_id = $1 AND payload_hash <> $2`, [row.approval_id, hash]);
    await manager.query(`UPDATE ${table(manager, 'approvals')} SET parameters = $2, payload_hash = $3, edited = true WHERE approval_id = $1`, [
      row.approval_id,
      JSON.stringify(parameters),
      hash,
    ]);
    return { ...row, parameters, payload_hash: hash, edited: true, approved_by: hash === row.payload_hash ? row.approved_by : [] };
  }

  private checkOption(row: ApprovalRow, option: string): void {
    const keys = (row.request.decision.context?.options ?? []).map((o) => o.key);
    if (!keys.includes(option)) throw fail(422, 'unknown_option', `chosen_option "${option}" is not one of the agent's options (${keys.join(', ') || 'none offered'})`);
  }

  private result(row: ApprovalRow, status: DecisionResult['status'], approvals: string[]): DecisionResult {
    return { approval_id: row.approval_id, decision_id: row.decision_id, status, approvals, required_approvals: row.required_approvals, payload_hash: row.payload_hash };
  }
}
