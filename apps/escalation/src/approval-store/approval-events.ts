import { ESCALATION_SOURCE } from '@hitl/approvals';
import {
  APPROVAL_ASSIGNED,
  APPROVAL_ESCALATED,
  APPROVAL_OPENED,
  APPROVAL_REASSIGNED,
  APPROVAL_UNREVIEWED,
  AnyEvent,
  UnreviewedReason,
  newEvent,
} from '@hitl/contracts';
import { ApprovalRow } from './approval-store.repository';

const meta = (row: ApprovalRow, now: Date) => ({ source: ESCALATION_SOURCE, workspaceid: row.workspace, time: now });
const ref = (row: ApprovalRow) => ({ decision_id: row.decision_id, approval_id: row.approval_id });
const placement = (tier: number, role: string, reviewerId: string | null, slaDeadline: Date) => ({
  tier,
  reviewer_role: role,
  reviewer_id: reviewerId,
  sla_deadline: slaDeadline.toISOString(),
});

export function assigned(row: ApprovalRow, tier: number, role: string, reviewerId: string | null, slaDeadline: Date, now: Date): AnyEvent {
  return newEvent(APPROVAL_ASSIGNED, { ...ref(row), ...placement(tier, role, reviewerId, slaDeadline) }, meta(row, now));
}

export function reassigned(
  row: ApprovalRow,
  role: string,
  reviewerId: string | null,
  previous: string | null,
  slaDeadline: Date,
  reason: string,
  now: Date,
): AnyEvent {
  return newEvent(
    APPROVAL_REASSIGNED,
    { ...ref(row), ...placement(row.tier, role, reviewerId, slaDeadline), previous_reviewer_id: previous, reason },
    meta(row, now),
  );
}

export function escalated(
  row: ApprovalRow,
  tier: number,
  role: string,
  fromRole: string,
  reviewerId: string | null,
  slaDeadline: Date,
  reason: string,
  now: Date,
): AnyEvent {
  return newEvent(APPROVAL_ESCALATED, { ...ref(row), ...placement(tier, role, reviewerId, slaDeadline), from_role: fromRole, reason }, meta(row, now));
}

/** A post-review ended with nobody looking: its window closed, or nobody had room to queue it. */
export function unreviewed(row: ApprovalRow, reason: UnreviewedReason, detail: string, now: Date): AnyEvent {
  return newEvent(APPROVAL_UNREVIEWED, { ...ref(row), reason, detail, reviewer_role: row.reviewer_role }, meta(row, now));
}

/** A reviewer who may decide it opened it for the first time. */
export function opened(row: ApprovalRow, by: string, now: Date): AnyEvent {
  return newEvent(APPROVAL_OPENED, { ...ref(row), opened_by: by }, meta(row, now));
}

/** How an unreviewed post-review is stored: in the shape of the other resolutions, read by queue health. */
export function unreviewedResolution(reason: UnreviewedReason, detail: string): object {
  return { status: 'unreviewed', reason, reasons: [{ rule: reason, detail }] };
}
