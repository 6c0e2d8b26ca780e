// When a read of an approval is an opening: the moment a person who may decide it started
// reading, which review quality times the decision from. Pure.
import { Actor, ApprovalState, refuse } from '@hitl/approvals';

/**
 * Whether `viewer` reading this approval now opens it for review: it is still open
 * (pending or clarifying) and the viewer may decide it (its workspace, a role that holds
 * or outranks its tier). An auditor decides nothing, so their read never is one; nor is a
 * read of an approval already decided.
 */
export function opensForReview(viewer: Actor & { auditor?: boolean }, state: ApprovalState): boolean {
  if (viewer.auditor) return false;
  return refuse(viewer, state, 'deny') === null;
}
