import { createHash } from 'node:crypto';
import { EVENT_TYPES, EventType, subjectFieldOf, topicOf } from './catalogue';
import { SubjectField } from './envelope';
import { decodeEvent, assertValidEvent } from './decode';
import { exampleEvent } from './examples';
import { payloadHash } from './payload-hash';
import { ALL_TOPICS, AUDITED_TOPICS, Topics, dlqTopic } from './topics';
import { AUDIT_RECORD_NAMESPACE, CHAIN_GENESIS, auditRecordHash, auditRecordId } from './events/audit-recorded';
import { messageKeyOf } from './kafka-binding';
import { PauseScope, pauseCovers, pauseScopeWords } from './events/control-changed';

type Mutation = [name: string, mutate: (e: Record<string, any>) => void, code: string, mentions: string];

const bytes = (e: unknown) => Buffer.from(JSON.stringify(e));

// Breaks that apply to every type: the envelope.
const envelopeBreaks: Mutation[] = [
  ['wrong specversion', (e) => (e.specversion = '0.3'), 'invalid_envelope', 'specversion'],
  ['id not a UUID', (e) => (e.id = 'msg-1'), 'invalid_envelope', 'id'],
  ['time not RFC 3339', (e) => (e.time = '22/11/2026'), 'invalid_envelope', 'time'],
  ['missing workspaceid', (e) => delete e.workspaceid, 'invalid_envelope', 'workspaceid'],
  ['wrong datacontenttype', (e) => (e.datacontenttype = 'text/plain'), 'invalid_envelope', 'datacontenttype'],
  ['data not an object', (e) => (e.data = 'refund'), 'invalid_envelope', 'data'],
  ['subject is not the decision', (e) => (e.subject = '11111111-2222-4333-8444-555555555555'), 'invalid_data', 'subject'],
  ['unknown type', (e) => (e.type = 'hitl.decision.proposed.v9'), 'unknown_type', 'hitl.decision.proposed.v9'],
];

// The field the subject names (decision_id; change_id for directory changes; pause_id for controls; handoff_id for handoffs) is required.
const subjectBreak = (field: SubjectField): Mutation => [`data without ${field}`, (e) => delete e.data[field], 'invalid_data', `data.${field}`];

// Breaks specific to one type's data.
const dataBreaks: Record<EventType, Mutation[]> = {
  'hitl.decision.proposed.v1': [
    ['confidence above 1', (e) => (e.data.confidence = 1.5), 'invalid_data', 'data.confidence'],
    ['confidence a string', (e) => (e.data.confidence = 'high'), 'invalid_data', 'data.confidence'],
    ['parameters missing', (e) => delete e.data.parameters, 'invalid_data', 'data.parameters'],
    ['agent without id', (e) => (e.data.agent = { model: 'x' }), 'invalid_data', 'data.agent.id'],
    ['urgency unknown', (e) => (e.data.urgency = 'asap'), 'invalid_data', 'data.urgency'],
    ['uncertainty_factors not a list', (e) => (e.data.uncertainty_factors = 'none'), 'invalid_data', 'data.uncertainty_factors'],
    ['negative workflow step', (e) => (e.data.workflow.step_index = -1), 'invalid_data', 'data.workflow.step_index'],
  ],
  'hitl.approval.requested.v1': [
    ['route unknown', (e) => (e.data.route = 'maybe'), 'invalid_data', 'data.route'],
    ['empty escalation path', (e) => (e.data.escalation_path = []), 'invalid_data', 'data.escalation_path'],
    ['zero required approvals', (e) => (e.data.required_approvals = 0), 'invalid_data', 'data.required_approvals'],
    ['bad payload hash', (e) => (e.data.payload_hash = 'md5:abc'), 'invalid_data', 'data.payload_hash'],
    ['embedded decision invalid', (e) => (e.data.decision.confidence = 2), 'invalid_data', 'data.decision.confidence'],
    ['on_timeout unknown', (e) => (e.data.on_timeout = 'ignore'), 'invalid_data', 'data.on_timeout'],
  ],
  'hitl.approval.assigned.v1': [
    ['negative tier', (e) => (e.data.tier = -1), 'invalid_data', 'data.tier'],
    ['missing role', (e) => delete e.data.reviewer_role, 'invalid_data', 'data.reviewer_role'],
    ['bad deadline', (e) => (e.data.sla_deadline = 'soon'), 'invalid_data', 'data.sla_deadline'],
  ],
  'hitl.approval.reassigned.v1': [
    ['missing reason', (e) => delete e.data.reason, 'invalid_data', 'data.reason'],
    ['previous reviewer a number', (e) => (e.data.previous_reviewer_id = 7), 'invalid_data', 'data.previous_reviewer_id'],
  ],
  'hitl.approval.escalated.v1': [
    ['missing from_role', (e) => delete e.data.from_role, 'invalid_data', 'data.from_role'],
    ['approval_id not a UUID', (e) => (e.data.approval_id = 'a1'), 'invalid_data', 'data.approval_id'],
  ],
  'hitl.approval.clarification_requested.v1': [
    ['empty question', (e) => (e.data.question = ''), 'invalid_data', 'data.question'],
    ['missing clarification id', (e) => delete e.data.clarification_id, 'invalid_data', 'data.clarification_id'],
  ],
  'hitl.approval.clarification_provided.v1': [
    ['empty answer', (e) => (e.data.answer = ''), 'invalid_data', 'data.answer'],
    ['missing provided_by', (e) => delete e.data.provided_by, 'invalid_data', 'data.provided_by'],
  ],
  'hitl.approval.rolled_back.v1': [
    ['what ran, with a hash of another form', (e) => (e.data.payload_hash = 'md5:abc'), 'invalid_data', 'data.payload_hash'],
    ['missing reason', (e) => delete e.data.reason, 'invalid_data', 'data.reason'],
    ['missing rolled_back_by', (e) => delete e.data.rolled_back_by, 'invalid_data', 'data.rolled_back_by'],
  ],
  'hitl.approval.reviewed.v1': [
    ['missing reviewed_by', (e) => delete e.data.reviewed_by, 'invalid_data', 'data.reviewed_by'],
    ['notes absent instead of null', (e) => delete e.data.notes, 'invalid_data', 'data.notes'],
  ],
  'hitl.approval.unreviewed.v1': [
    ['reason unknown', (e) => (e.data.reason = 'bored'), 'invalid_data', 'data.reason'],
    ['empty detail', (e) => (e.data.detail = ''), 'invalid_data', 'data.detail'],
    ['missing reviewer_role', (e) => delete e.data.reviewer_role, 'invalid_data', 'data.reviewer_role'],
  ],
  'hitl.approval.opened.v1': [
    ['missing opened_by', (e) => delete e.data.opened_by, 'invalid_data', 'data.opened_by'],
    ['empty opened_by', (e) => (e.data.opened_by = ''), 'invalid_data', 'data.opened_by'],
  ],
  'hitl.approval.canary_scored.v1': [
    ['expected unknown', (e) => (e.data.expected = 'edit'), 'invalid_data', 'data.expected'],
    ['answered unknown', (e) => (e.data.answered = 'maybe'), 'invalid_data', 'data.answered'],
    ['correct missing instead of null', (e) => delete e.data.correct, 'invalid_data', 'data.correct'],
    ['empty why', (e) => (e.data.why = ''), 'invalid_data', 'data.why'],
  ],
  'hitl.approval.resolved.v1': [
    ['status unknown', (e) => (e.data.status = 'maybe'), 'invalid_data', 'data.status'],
    ['resolved_by kind unknown', (e) => (e.data.resolved_by.kind = 'agent'), 'invalid_data', 'data.resolved_by.kind'],
    ['edited missing', (e) => delete e.data.edited, 'invalid_data', 'data.edited'],
    ['notes absent instead of null', (e) => delete e.data.notes, 'invalid_data', 'data.notes'],
    ['uppercase hash', (e) => (e.data.payload_hash = e.data.payload_hash.toUpperCase()), 'invalid_data', 'data.payload_hash'],
  ],
  'hitl.action.executed.v1': [
    [
      'a compensation without its reason',
      (e) => (e.data.compensation = { approval_id: '7d4f8e6a-3b2c-4e1d-9a8b-1c2d3e4f5a6b', rolled_back_by: 'rev-alice' }),
      'invalid_data',
      'data.compensation.reason',
    ],
    ['negative duration', (e) => (e.data.duration_ms = -5), 'invalid_data', 'data.duration_ms'],
    ['fractional duration', (e) => (e.data.duration_ms = 1.5), 'invalid_data', 'data.duration_ms'],
    ['succeeded a string', (e) => (e.data.succeeded = 'yes'), 'invalid_data', 'data.succeeded'],
  ],
  'hitl.outcome.labeled.v1': [
    ['correct a string', (e) => (e.data.correct = 'true'), 'invalid_data', 'data.correct'],
    ['empty source', (e) => (e.data.source = ''), 'invalid_data', 'data.source'],
    ['labeled_by absent instead of null', (e) => delete e.data.labeled_by, 'invalid_data', 'data.labeled_by'],
  ],
  'hitl.directory.reviewer_changed.v1': [
    ['an unknown change', (e) => (e.data.change = 'promoted'), 'invalid_data', 'data.change'],
    ['changed_by empty', (e) => (e.data.changed_by = ''), 'invalid_data', 'data.changed_by'],
    ['before absent instead of null', (e) => delete e.data.before, 'invalid_data', 'data.before'],
    ['after without its roles', (e) => delete e.data.after.roles, 'invalid_data', 'data.after.roles'],
    ['capacity of zero', (e) => (e.data.after.capacity = 0), 'invalid_data', 'data.after.capacity'],
  ],
  'hitl.control.paused.v1': [
    ['an unknown effect', (e) => (e.data.effect = 'auto_approve'), 'invalid_data', 'data.effect'],
    ['no reason', (e) => (e.data.reason = ''), 'invalid_data', 'data.reason'],
    ['agent_id absent instead of null', (e) => delete e.data.agent_id, 'invalid_data', 'data.agent_id'],
    ['paused_by missing', (e) => delete e.data.paused_by, 'invalid_data', 'data.paused_by'],
  ],
  'hitl.control.resumed.v1': [
    ['no reason', (e) => (e.data.reason = ''), 'invalid_data', 'data.reason'],
    ['resumed_by missing', (e) => delete e.data.resumed_by, 'invalid_data', 'data.resumed_by'],
  ],
  'hitl.control.probation_started.v1': [
    ['no decisions needed', (e) => (e.data.decisions = 0), 'invalid_data', 'data.decisions'],
    ['a rate above 1', (e) => (e.data.approved_unchanged_rate = 1.5), 'invalid_data', 'data.approved_unchanged_rate'],
    ['no action', (e) => delete e.data.action, 'invalid_data', 'data.action'],
  ],
  'hitl.control.probation_graduated.v1': [
    ['a negative count', (e) => (e.data.reviewed = -1), 'invalid_data', 'data.reviewed'],
    ['a fractional count', (e) => (e.data.approved_unchanged = 1.5), 'invalid_data', 'data.approved_unchanged'],
  ],
  'hitl.control.probation_ended.v1': [
    ['no reason', (e) => (e.data.reason = ''), 'invalid_data', 'data.reason'],
    ['ended_by missing', (e) => delete e.data.ended_by, 'invalid_data', 'data.ended_by'],
  ],
  'hitl.handoff.requested.v1': [
    ['no reason', (e) => (e.data.reason = ''), 'invalid_data', 'data.reason'],
    ['a turn from nobody known', (e) => (e.data.transcript[0].from = 'system'), 'invalid_data', 'data.transcript.0.from'],
    ['no transcript', (e) => delete e.data.transcript, 'invalid_data', 'data.transcript'],
    ['a checkpoint that is a list', (e) => (e.data.checkpoint = ['step']), 'invalid_data', 'data.checkpoint'],
    ['no session', (e) => (e.data.session_id = ''), 'invalid_data', 'data.session_id'],
  ],
  'hitl.handoff.opened.v1': [
    ['a negative tier', (e) => (e.data.tier = -1), 'invalid_data', 'data.tier'],
    ['a deadline that is no time', (e) => (e.data.sla_deadline = 'soon'), 'invalid_data', 'data.sla_deadline'],
  ],
  'hitl.handoff.escalated.v1': [['from_role missing', (e) => delete e.data.from_role, 'invalid_data', 'data.from_role']],
  'hitl.handoff.taken.v1': [['taken_by empty', (e) => (e.data.taken_by = ''), 'invalid_data', 'data.taken_by']],
  'hitl.audit.recorded.v1': [
    ['position 0', (e) => (e.data.position = 0), 'invalid_data', 'data.position'],
    ['a hash that is no sha256', (e) => (e.data.hash = 'md5:abc'), 'invalid_data', 'data.hash'],
    ['no prev_hash', (e) => delete e.data.prev_hash, 'invalid_data', 'data.prev_hash'],
    ['a record of another workspace', (e) => (e.data.record.workspace = 'globex'), 'invalid_data', 'data.record.workspace'],
    ['a record without its event', (e) => delete e.data.record.event, 'invalid_data', 'data.record.event'],
    ['a record id not derived from workspace and position', (e) => (e.data.position = 2), 'invalid_data', 'data.record_id'],
    ['verified absent instead of null', (e) => delete e.data.verified, 'invalid_data', 'data.verified'],
  ],
  'hitl.handoff.returned.v1': [
    ['an unknown resolution', (e) => (e.data.resolution = 'resumed'), 'invalid_data', 'data.resolution'],
    ['no notes', (e) => (e.data.notes = ''), 'invalid_data', 'data.notes'],
    ['reply absent instead of null', (e) => delete e.data.reply, 'invalid_data', 'data.reply'],
  ],
};

describe.each(EVENT_TYPES)('%s', (type) => {
  const topic = topicOf(type);

  it('decodes the valid example from its bytes', () => {
    const decoded = decodeEvent(topic, bytes(exampleEvent(type)));
    expect(decoded).toEqual({ ok: true, event: exampleEvent(type), raw: exampleEvent(type) });
  });

  it('keeps unknown extra fields (forward compatibility)', () => {
    const event: Record<string, any> = exampleEvent(type);
    event.traceparent = '00-abc-01';
    event.data.added_in_v1_1 = { anything: true };
    const decoded = decodeEvent(topic, bytes(event));
    expect(decoded.ok && decoded.event).toMatchObject({ traceparent: '00-abc-01', data: { added_in_v1_1: { anything: true } } });
  });

  it.each([...envelopeBreaks, subjectBreak(subjectFieldOf(type)), ...dataBreaks[type]])('rejects: %s', (_name, mutate, code, mentions) => {
    const event: Record<string, any> = exampleEvent(type);
    mutate(event);
    const decoded = decodeEvent(topic, bytes(event));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.violation.code).toBe(code);
    expect(decoded.violation.message).toContain(mentions);
  });

  it('names the decision of an invalid message so its agent can be told', () => {
    const event: Record<string, any> = exampleEvent(type);
    event.data.decision_id = event.subject;
    event.time = 'yesterday';
    const decoded = decodeEvent(topic, bytes(event));
    expect(!decoded.ok && decoded.violation.decisionId).toBe(event.subject);
  });

  it('rejects the type on any other topic', () => {
    const other = ALL_TOPICS.find((t) => t !== topic)!;
    const decoded = decodeEvent(other, bytes(exampleEvent(type)));
    expect(!decoded.ok && decoded.violation.code).toBe('wrong_topic');
  });

  it('checks events before they are produced', () => {
    expect(assertValidEvent(exampleEvent(type))).toBeTruthy();
    const broken: Record<string, any> = exampleEvent(type);
    delete broken.data[subjectFieldOf(type)];
    expect(() => assertValidEvent(broken as never)).toThrow(/invalid_data/);
  });
});

describe('undecodable bytes', () => {
  it.each([
    ['empty value', Buffer.alloc(0), 'empty_message'],
    ['null value', null, 'empty_message'],
    ['not JSON', Buffer.from('{"specversion": "1.0",'), 'invalid_json'],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x12]), 'invalid_json'],
    ['a JSON array', Buffer.from('[1,2,3]'), 'invalid_envelope'],
    ['a JSON string', Buffer.from('"hello"'), 'invalid_envelope'],
  ])('%s', (_name, value, code) => {
    const decoded = decodeEvent(Topics.DecisionProposed, value);
    expect(!decoded.ok && decoded.violation.code).toBe(code);
  });
});

describe('payloadHash (RFC 8785 canonical JSON + SHA-256)', () => {
  const sha = (s: string) => `sha256:${createHash('sha256').update(s, 'utf8').digest('hex')}`;

  it.each([
    ['sorts keys at every depth', { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }, '{"action":"act","parameters":{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}}'],
    [
      'writes numbers the ECMAScript way',
      { n: 1.0, big: 1e21, small: 0.000001, neg: -0 },
      '{"action":"act","parameters":{"big":1e+21,"n":1,"neg":0,"small":0.000001}}',
    ],
    ['escapes only what JSON requires', { s: 'café "€" \n' }, '{"action":"act","parameters":{"s":"café \\"€\\" \\n"}}'],
  ])('%s', (_name, parameters, canonical) => {
    expect(payloadHash('act', parameters)).toBe(sha(canonical));
  });

  it('is the same whatever the key order', () => {
    expect(payloadHash('process_refund', { order_id: 'A', amount_usd: 10 })).toBe(payloadHash('process_refund', { amount_usd: 10, order_id: 'A' }));
  });

  it('changes when the action or a parameter changes', () => {
    const base = payloadHash('process_refund', { amount_usd: 10 });
    expect(payloadHash('process_refund', { amount_usd: 11 })).not.toBe(base);
    expect(payloadHash('void_refund', { amount_usd: 10 })).not.toBe(base);
  });
});

describe('topics', () => {
  it('are the eleven of the contract, each with a DLQ', () => {
    expect(ALL_TOPICS).toEqual([
      'decision.proposed',
      'approval.requested',
      'approval.updated',
      'approval.resolved',
      'action.executed',
      'outcome.labeled',
      'directory.changed',
      'control.changed',
      'handoff.requested',
      'handoff.updated',
      'audit.recorded',
    ]);
    expect(dlqTopic(Topics.ApprovalResolved)).toBe('approval.resolved.dlq');
    expect(dlqTopic(Topics.AuditRecorded)).toBe('audit.recorded.dlq');
  });

  it('the audit records every topic but its own stream', () => {
    expect(AUDITED_TOPICS).toEqual(ALL_TOPICS.filter((t) => t !== 'audit.recorded'));
  });
});

describe('what a pause covers (the meaning of hitl.control.paused.v1)', () => {
  const refund = { workspace: 'acme-support', agent_id: 'refund-bot', action: 'process_refund' };
  it.each<[string, PauseScope, boolean, string]>([
    ['its agent', { workspace: 'acme-support', agent_id: 'refund-bot', action: null }, true, 'agent refund-bot'],
    ['another agent', { workspace: 'acme-support', agent_id: 'other-bot', action: null }, false, 'agent other-bot'],
    ['its action', { workspace: 'acme-support', agent_id: null, action: 'process_refund' }, true, 'action process_refund'],
    [
      'that action of that agent',
      { workspace: 'acme-support', agent_id: 'refund-bot', action: 'process_refund' },
      true,
      'action process_refund of agent refund-bot',
    ],
    ['another action of that agent', { workspace: 'acme-support', agent_id: 'refund-bot', action: 'cancel' }, false, 'action cancel of agent refund-bot'],
    ['its workspace', { workspace: 'acme-support', agent_id: null, action: null }, true, 'the whole workspace acme-support'],
    ['another workspace', { workspace: 'globex', agent_id: null, action: null }, false, 'the whole workspace globex'],
  ])('%s', (_, scope, covered, words) => {
    expect(pauseCovers(scope, refund)).toBe(covered);
    expect(pauseScopeWords(scope)).toBe(words);
  });
});

describe('the audit stream (hitl.audit.recorded.v1)', () => {
  it('derives record ids as UUIDv5 of `<workspace>:<position>` in its namespace (the values of Python uuid.uuid5)', () => {
    expect(AUDIT_RECORD_NAMESPACE).toBe('78938306-bba7-4796-a505-90e189eb034c');
    expect(auditRecordId('acme-support', 1)).toBe('4148cda0-92bf-561d-bd4d-62841e53a032');
    expect(auditRecordId('acme-support', 2)).toBe('d15ebc65-32f6-5ed2-872e-dd20e8b8acd0');
    expect(auditRecordId('ws:with:colons', 12)).toBe('66a87236-0f37-5224-b571-218eaa2745e6');
  });

  it('hashes sha256 over the canonical JSON of the record, its position as chain_index and prev_hash', () => {
    const record = { b: 1, a: 'x' };
    const canonical = `{"a":"x","b":1,"chain_index":3,"prev_hash":"${CHAIN_GENESIS}"}`;
    expect(auditRecordHash(CHAIN_GENESIS, 3, record)).toBe(`sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`);
  });

  it('its example verifies: hash from prev_hash, position and record; id and subject the record id', () => {
    const event = exampleEvent('hitl.audit.recorded.v1');
    const { data } = event;
    expect(data.hash).toBe(auditRecordHash(data.prev_hash, data.position, data.record));
    expect(event.id).toBe(data.record_id);
    expect(event.subject).toBe(auditRecordId(data.workspace, data.position));
    expect(JSON.stringify(event)).not.toContain('"card_number":"4');
    expect(exampleEvent('hitl.audit.recorded.v1', { workspaceid: 'globex' }).data.record.workspace).toBe('globex');
  });

  it('is keyed by its workspace; every other event by its subject', () => {
    expect(messageKeyOf(exampleEvent('hitl.audit.recorded.v1'))).toBe('acme-support');
    expect(messageKeyOf(exampleEvent('hitl.decision.proposed.v1'))).toBe(exampleEvent('hitl.decision.proposed.v1').subject);
  });
});
