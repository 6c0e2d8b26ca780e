// What an agent in any language sends: a CloudEvents JSON object written by hand,
// on purpose not built with the project's own contract helpers.
import { randomUUID } from 'node:crypto';

export function proposal(fields: { decisionId?: string; eventId?: string; action?: string; parameters?: object; confidence?: number; context?: object; urgency?: string }) {
  const decisionId = fields.decisionId ?? randomUUID();
  return {
    specversion: '1.0',
    id: fields.eventId ?? randomUUID(),
    source: 'agent/refund-bot',
    type: 'hitl.decision.proposed.v1',
    time: new Date().toISOString(),
    subject: decisionId,
    datacontenttype: 'application/json',
    workspaceid: 'acme-support',
    data: {
      decision_id: decisionId,
      agent: { id: 'refund-bot', model: 'test-model' },
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
    },
  };
}
