import { AuditRecord, GENESIS, NOT_CHECKED, linkCanonical, recordOf, signatureRecord } from '@hitl/audit-trail';
import {
  AUDIT_RECORDED,
  AnyEvent,
  CHAIN_GENESIS,
  Keyring,
  Topics,
  assertValidEvent,
  auditRecordHash,
  auditRecordId,
  decodeEvent,
  exampleEvent,
  generateSigningKey,
} from '@hitl/contracts';
import { recordedEvent, recordedMessages } from './recorded-event';

const audit = generateSigningKey();
const escalation = generateSigningKey();
const keyring = new Keyring({ services: { audit: { keys: [audit.jwk] }, escalation: { keys: [escalation.jwk] } } });
const SECRET = '4111111111111111';
const at = new Date('2026-11-22T09:00:01.234Z');

/** Three rows of acme-support's chain: a verified proposal with a card number, a refused resolution, a dead letter. */
function rows() {
  const proposal = exampleEvent('hitl.decision.proposed.v1') as AnyEvent;
  (proposal.data as { parameters: Record<string, unknown> }).parameters.card_number = SECRET;
  const records: AuditRecord[] = [
    recordOf(proposal, () => [], signatureRecord({ ok: true, signer: { kind: 'agent', id: 'refund-bot', workspaces: '*' }, kid: 'k' })),
    recordOf(
      { ...(exampleEvent('hitl.approval.resolved.v1') as AnyEvent), id: '11111111-2222-4333-8444-555555555555' },
      () => [],
      signatureRecord({ ok: false, code: 'signature_invalid', reason: 'the signature does not verify', kid: 'k' }),
    ),
    {
      event_id: 'decision.proposed.dlq/0/7',
      workspace: 'acme-support',
      topic: 'decision.proposed.dlq',
      type: 'hitl.dead_letter',
      decision_id: null,
      actor_kind: 'system',
      actor_id: 'hitl-router',
      action: null,
      occurred_at: '2026-11-22T09:00:00.000Z',
      manifest_version: null,
      event: { error_code: 'invalid_json', message: null },
      ...NOT_CHECKED,
    },
  ];
  return linkCanonical(null, records);
}

describe('the audit stream: a chained row as hitl.audit.recorded.v1', () => {
  it('carries the record as hashed, its position, prev_hash and hash, so the contract formula recomputes the hash', () => {
    const chained = rows().map((r) => r.row);
    const events = chained.map((row) => recordedEvent(row, at));
    expect(events.map((e) => e.data.position)).toEqual([1, 2, 3]);
    expect(events[0].data.prev_hash).toBe(CHAIN_GENESIS);
    expect(GENESIS).toBe(CHAIN_GENESIS);
    for (const [i, event] of events.entries()) {
      expect(assertValidEvent(event)).toBe(event);
      expect(event.data.hash).toBe(chained[i].hash);
      expect(auditRecordHash(event.data.prev_hash, event.data.position, event.data.record)).toBe(event.data.hash);
      if (i > 0) expect(event.data.prev_hash).toBe(events[i - 1].data.hash);
    }
  });

  it('has the record id (UUIDv5 of workspace and position) as id and subject, and the recording time', () => {
    const event = recordedEvent(rows()[1].row, at);
    expect(event).toMatchObject({
      id: auditRecordId('acme-support', 2),
      subject: auditRecordId('acme-support', 2),
      source: 'hitl/audit',
      type: AUDIT_RECORDED,
      workspaceid: 'acme-support',
      time: at.toISOString(),
    });
    // Deterministic: the same row gives the same event (a re-publish is de-duplicated by id).
    expect(recordedEvent(rows()[1].row, at)).toEqual(event);
  });

  it('tells what an analyst filters on: event, type, decision, times, and the signature verdict or refusal', () => {
    const [proposal, refused, letter] = rows().map(({ row }) => recordedEvent(row, at).data);
    expect(proposal).toMatchObject({ event_type: 'hitl.decision.proposed.v1', verified: true, signer: 'agent:refund-bot', refusal: null });
    expect(proposal.decision_id).toBe(exampleEvent('hitl.decision.proposed.v1').subject);
    expect(proposal.recorded_at).toBe(at.toISOString());
    expect(refused).toMatchObject({ verified: false, signer: null, refusal: 'signature_invalid: the signature does not verify' });
    expect(refused.record).toMatchObject({ verified: false, actor_kind: 'unverified' });
    // A row with no verdict is hashed without the three fields: the record has none of them.
    expect(letter).toMatchObject({ event_type: 'hitl.dead_letter', verified: null, signer: null, refusal: null });
    expect(Object.keys(letter.record)).not.toContain('verified');
  });

  it('never carries a redacted value in clear', () => {
    const messages = recordedMessages(rows(), at, audit.key);
    expect(messages.map((m) => m.value.toString('utf8')).join('\n')).not.toContain(SECRET);
    expect(JSON.parse(messages[0].value.toString('utf8')).data.record.event.data.parameters.card_number).toBe('[REDACTED]');
  });

  it('is a message keyed by workspace, signed by the audit, that any consumer of the contract decodes and verifies', () => {
    const messages = recordedMessages(rows(), at, audit.key);
    for (const [i, message] of messages.entries()) {
      // The bytes are the event as an object would be, signed: the record as hashed, nothing recomputed differently.
      const { sig: _sig, sigkid, ...value } = JSON.parse(message.value.toString('utf8')) as Record<string, unknown>;
      expect(value).toEqual(recordedEvent(rows()[i].row, at));
      expect(sigkid).toBe(audit.key.kid);
      expect(message).toMatchObject({
        topic: Topics.AuditRecorded,
        key: 'acme-support',
        headers: [['content-type', 'application/cloudevents+json; charset=UTF-8']],
      });
      const decoded = decodeEvent(Topics.AuditRecorded, message.value);
      if (!decoded.ok) throw new Error(decoded.violation.message);
      expect(message.messageId).toBe(decoded.event.id);
      expect(keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'audit' } });
    }
    const forged = recordedMessages(rows(), at, escalation.key)[0];
    const decoded = decodeEvent(Topics.AuditRecorded, forged.value);
    expect(decoded.ok && keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });
});
