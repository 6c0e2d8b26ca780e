// The executor rule of the wire contract, with no Kafka in it: which signed events an agent
// may act on. A resolution is consent only when it verifies, comes from the service with
// authority over it, is about a decision this agent proposed, names the action it proposed
// and, unless a reviewer edited it (which only the escalation service can say), approves the
// exact payload it proposed. Anything else is refused and the decision keeps waiting for
// its real outcome.
import { ApprovalResolvedData, Principal, SignatureRefusalCode, SignatureVerdict, SigningService } from '@hitl/contracts';
import { PendingDecision } from './pending-store';

/** What the agent remembers of a decision it proposed and still waits on. */
export type ProposedDecision = Pick<PendingDecision, 'decision_id' | 'action' | 'payload_hash'>;

/** accept: act on it; ignore: not this agent's business; refuse: dead-letter it, keep waiting. */
export type Consent = { outcome: 'accept' } | { outcome: 'ignore'; reason: string } | { outcome: 'refuse'; code: SignatureRefusalCode; reason: string };

const accept: Consent = { outcome: 'accept' };
const refuse = (code: SignatureRefusalCode, reason: string): Consent => ({ outcome: 'refuse', code, reason });

function describe(signer: Principal): string {
  return signer.kind === 'service' ? `the ${signer.service} service` : `${signer.kind} "${signer.id}"`;
}

/**
 * Whether `resolution` (an approval.resolved whose signature was checked into `verdict`) may
 * settle `proposal`, the decision this agent has pending under its decision_id (undefined:
 * none). Never throws.
 */
export function checkResolution(proposal: ProposedDecision | undefined, resolution: ApprovalResolvedData, verdict: SignatureVerdict): Consent {
  if (!proposal || proposal.decision_id !== resolution.decision_id)
    return { outcome: 'ignore', reason: `decision ${resolution.decision_id} is not pending for this agent` };
  if (!verdict.ok) return refuse(verdict.code, verdict.reason);
  const { signer } = verdict;
  if (signer === null) return refuse('unsigned', 'approval.resolved must be signed (sigkid, sig)');
  // The keyring applies this table already; checked again because acting on it is the point.
  const needed: SigningService = resolution.resolved_by.kind === 'policy' ? 'router' : 'escalation';
  if (signer.kind !== 'service' || signer.service !== needed) {
    return refuse('signature_invalid', `a resolution by ${resolution.resolved_by.kind} must be signed by the ${needed} service, not ${describe(signer)}`);
  }
  if (resolution.action !== proposal.action) {
    return refuse('signature_invalid', `the resolution names action "${resolution.action}" but this agent proposed "${proposal.action}"`);
  }
  if (resolution.status !== 'approved') return accept; // a denial, block or expiry runs nothing
  // A reviewer's edit changes the payload; only the escalation service speaks for reviewers,
  // and the guard still checks that the edited parameters hash to the payload_hash.
  if (resolution.edited && signer.service === 'escalation') return accept;
  if (resolution.payload_hash !== proposal.payload_hash) {
    const edit = resolution.edited ? ' (an edit is taken only from the escalation service)' : ' and edited is false';
    return refuse(
      'signature_invalid',
      `the resolution approves payload_hash ${resolution.payload_hash} but this agent proposed ${proposal.payload_hash}${edit}`,
    );
  }
  return accept;
}

/** Whether a reviewer's question (approval.updated clarification_requested) may be answered: only when the escalation service signed it. */
export function checkClarificationRequest(verdict: SignatureVerdict): Consent {
  return checkSignedByEscalation(verdict, 'a clarification request');
}

/** Whether a rollback (approval.updated rolled_back) may be acted on, by undoing the action: only when the escalation service signed it. */
export function checkRollback(verdict: SignatureVerdict): Consent {
  return checkSignedByEscalation(verdict, 'a rollback');
}

/** Whether a step of a handoff (handoff.updated: taken, handed back, closed) may be acted on: only when the escalation service signed it. */
export function checkHandoffStep(verdict: SignatureVerdict): Consent {
  return checkSignedByEscalation(verdict, 'a step of a handoff');
}

function checkSignedByEscalation(verdict: SignatureVerdict, what: string): Consent {
  if (!verdict.ok) return refuse(verdict.code, verdict.reason);
  if (verdict.signer === null) return refuse('unsigned', `${what} must be signed (sigkid, sig)`);
  if (verdict.signer.kind !== 'service' || verdict.signer.service !== 'escalation') {
    return refuse('signature_invalid', `${what} must be signed by the escalation service, not ${describe(verdict.signer)}`);
  }
  return accept;
}
