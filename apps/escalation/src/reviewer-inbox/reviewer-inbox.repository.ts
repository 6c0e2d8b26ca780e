import { Actor, ApprovalStatus } from '@hitl/approvals';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { ApprovalRow } from '../approval-store/approval-store.repository';
import { InboxPosition, InboxQuery, InboxSortColumns, inboxCountsSql, inboxSql } from './inbox-query';

/** An approvals row as the inbox selects it (without the votes), with its place in the order. */
export type InboxRow = Omit<ApprovalRow, 'approved_by'> & InboxSortColumns;

export function inboxRows(manager: EntityManager, viewer: Actor, query: InboxQuery, after: InboxPosition | null): Promise<InboxRow[]> {
  const { text, params } = inboxSql(serviceTable(manager, 'approvals'), viewer, query, after);
  return manager.query(text, params);
}

/** How many the caller may decide in each queue. */
export async function inboxCounts(manager: EntityManager, viewer: Actor, query: InboxQuery): Promise<{ blocking: number; post_review: number }> {
  const { text, params } = inboxCountsSql(serviceTable(manager, 'approvals'), viewer, query);
  const [row] = await manager.query(text, params);
  return { blocking: Number(row.blocking), post_review: Number(row.post_review) };
}

export interface ResolvedRow {
  approval_id: string;
  status: ApprovalStatus;
  edited: boolean;
  resolved_at: Date;
}

/** The agent's latest resolved approvals of `action` in the workspace, newest first, `except` left out. */
export function resolvedOfAgent(
  manager: EntityManager,
  row: Pick<ApprovalRow, 'workspace' | 'agent_id' | 'action' | 'approval_id'>,
  limit: number,
): Promise<ResolvedRow[]> {
  return manager.query(
    `SELECT approval_id, status, edited, resolved_at
       FROM ${serviceTable(manager, 'approvals')}
      WHERE workspace = $1 AND agent_id = $2 AND action = $3 AND resolved_at IS NOT NULL AND approval_id <> $4
        AND canary IS NULL -- a canary's answer is no record of the agent's
      ORDER BY resolved_at DESC, approval_id
      LIMIT $5`,
    [row.workspace, row.agent_id, row.action, row.approval_id, limit],
  );
}
