// What an agent in any language sends: a CloudEvents JSON object written by hand,
// on purpose not built with the project's own contract helpers, and signed as the wire
// contract says (Ed25519 over the JCS form of the event without `sig`).
import { randomUUID } from 'node:crypto';
import { SigningKey, signEvent } from '@hitl/contracts';
import { testTrust } from '@hitl/testing';

export function proposal(fields: {
  decisionId?: string;
  eventId?: string;
  action?: string;
  parameters?: object;
  confidence?: number;
  context?: object;
  urgency?: string;
  agentId?: string;
  workspaceid?: string;
  /** The repair loop: the agent can repair, and the attempt this one repairs. */
  repairable?: boolean;
  repairOf?: string;
}) {
  const decisionId = fields.decisionId ?? randomUUID();
  const agentId = fields.agentId ?? 'refund-bot';
  return {
    specversion: '1.0',
    id: fields.eventId ?? randomUUID(),
    source: `agent/${agentId}`,
    type: 'hitl.decision.proposed.v1',
    time: new Date().toISOString(),
    subject: decisionId,
    datacontenttype: 'application/json',
    workspaceid: fields.workspaceid ?? 'acme-support',
    data: {
      decision_id: decisionId,
      agent: { id: agentId, model: 'test-model' },
      on_behalf_of: 'customer:c-1',
      action: fields.action ?? 'process_refund',
      parameters: fields.parameters ?? { order_id: 'ORD-1', amount_usd: 20 },
      confidence: fields.confidence ?? 0.9,
      confidence_basis: 'matches the order history',
      uncertainty_factors: [],
      recommended_review: false,
      summary: 'Refund the customer.',
      context: fields.context ?? {},
      urgency: fields.urgency ?? 'normal',
      ...(fields.repairable !== undefined ? { repairable: fields.repairable } : {}),
      ...(fields.repairOf !== undefined ? { repair_of: fields.repairOf } : {}),
    },
  };
}

/**
 * The bytes on the wire: the proposal signed with `key` (by default the test key of the
 * agent it names), or unsigned when `key` is null. Sign last: any change after signing
 * breaks the signature.
 */
export function wire(event: ReturnType<typeof proposal>, key: SigningKey | null = testTrust().key(event.data.agent.id)): string {
  return JSON.stringify(key ? signEvent(event, key) : event);
}
