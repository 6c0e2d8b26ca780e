// The tools through the MCP SDK's own client, in memory, over a fake agent: what is proposed,
// what comes back, progress while waiting, pending and taking the wait up again, tool errors.
import type { Handback, HumanRequest, Proposal, Resolution } from '@hitl/agent-sdk';
import { InvalidDecisionError, UnknownDecisionError } from '@hitl/agent-sdk';
import { eventually } from '@hitl/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GovernedAgent, Governor } from './tools';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

class FakeAgent implements GovernedAgent {
  proposals: Proposal[] = [];
  outcomes = new Map<string, ReturnType<typeof deferred<Resolution>>>();
  humans: HumanRequest[] = [];
  handbacks = new Map<string, ReturnType<typeof deferred<Handback>>>();

  propose = (async (proposal: Proposal) => {
    this.proposals.push(proposal);
    if (proposal.action === 'bad') throw new InvalidDecisionError(['action'], 'action: unknown');
    const outcome = deferred<Resolution>();
    this.outcomes.set(proposal.decision_id!, outcome);
    return outcome.promise;
  }) as GovernedAgent['propose'];

  resolution = ((decisionId: string) => {
    const outcome = this.outcomes.get(decisionId);
    return outcome ? outcome.promise : Promise.reject(new UnknownDecisionError(decisionId));
  }) as GovernedAgent['resolution'];

  requestHuman = (async (request: HumanRequest) => {
    this.humans.push(request);
    const handback = deferred<Handback>();
    this.handbacks.set(request.handoff_id!, handback);
    return handback.promise;
  }) as GovernedAgent['requestHuman'];

  resolve(proposal: Proposal, fields: Partial<Resolution> = {}): void {
    this.outcomes.get(proposal.decision_id!)!.resolve({
      decision_id: proposal.decision_id!,
      approval_id: null,
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-dana' },
      parameters: proposal.parameters,
      edited: false,
      reasons: [{ rule: 'reviewer_approved', detail: 'rev-dana approved' }],
      notes: null,
      chosen_option: null,
      manifest_version: '1',
      confidence: proposal.confidence,
      action: proposal.action,
      payload_hash: `sha256:${'b'.repeat(64)}`,
      ...fields,
    });
  }
}

const refund = (amount: number) => ({
  action: 'process_refund',
  parameters: { order_id: `ORD-${amount}`, amount_usd: amount },
  confidence: 0.97,
  confidence_basis: 'matches the order history',
  uncertainty_factors: [],
  summary: `Refund $${amount}.`,
});

describe('the MCP tools', () => {
  let agent: FakeAgent;
  let client: Client;

  beforeEach(async () => {
    agent = new FakeAgent();
    const governor = new Governor(agent, { defaultMs: 5_000, maxMs: 10_000, progressEveryMs: 50 }, silent);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await governor.server().connect(serverSide);
    client = new Client({ name: 'spec', version: '1' });
    await client.connect(clientSide);
  });

  afterEach(() => client.close());

  const call = (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number; message?: string }) => void) =>
    client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {}) as Promise<CallToolResult>;

  it('lists the four tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_decision', 'get_handback', 'request_approval', 'request_human']);
    const approval = tools.find((t) => t.name === 'request_approval')!;
    expect(approval.inputSchema.required).toEqual(expect.arrayContaining(['action', 'parameters', 'confidence', 'confidence_basis', 'summary']));
    expect(approval.outputSchema).toBeDefined();
  });

  it('proposes, sends progress while it waits, and answers with the outcome', async () => {
    const progress: { progress: number; message?: string }[] = [];
    const answer = call('request_approval', refund(400), (p) => progress.push(p));
    // The proposal made, and at least one progress notification sent while it waits.
    const proposal = await eventually('the proposal and a progress notification', () => progress.length > 0 && agent.proposals[0]);
    expect(proposal).toMatchObject({ ...refund(400), recommended_review: false, decision_id: expect.any(String) });
    agent.resolve(proposal, { edited: true, parameters: { order_id: 'ORD-400', amount_usd: 300 } });
    const result = await answer;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: 'approved',
      decision_id: proposal.decision_id,
      edited: true,
      parameters: { order_id: 'ORD-400', amount_usd: 300 },
      resolved_by: { kind: 'reviewer', id: 'rev-dana' },
    });
    expect((result.content[0] as { text: string }).text).toContain('APPROVED by reviewer rev-dana, with edited parameters');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0].message).toContain('waiting for a policy or a person to decide process_refund');
  });

  it('answers pending when the wait ends first; get_decision takes the wait up and returns the outcome', async () => {
    const pending = await call('request_approval', { ...refund(400), wait_seconds: 0.1 });
    expect(pending.structuredContent).toMatchObject({ status: 'pending', action: 'process_refund' });
    const decisionId = (pending.structuredContent as { decision_id: string }).decision_id;
    expect((pending.content[0] as { text: string }).text).toContain(`get_decision with decision_id "${decisionId}"`);

    expect((await call('get_decision', { decision_id: decisionId, wait_seconds: 0 })).structuredContent).toMatchObject({ status: 'pending' });
    const later = call('get_decision', { decision_id: decisionId, wait_seconds: 5 });
    agent.resolve(agent.proposals[0], { status: 'denied', reasons: [{ rule: 'reviewer_denied', detail: 'not due' }] });
    expect((await later).structuredContent).toMatchObject({ status: 'denied', decision_id: decisionId });
  });

  it('reports what the SDK refuses, and unknown decisions, as tool errors', async () => {
    const bad = await call('request_approval', { ...refund(1), action: 'bad' });
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toMatch(/^invalid_decision: /);
    const unknown = await call('get_decision', { decision_id: '6f1c2a9e-6a55-4d0b-9a43-2b0c8f9d1e01' });
    expect(unknown.isError).toBe(true);
    expect((unknown.content[0] as { text: string }).text).toMatch(/^unknown_decision: /);
    const invalid = await call('request_approval', { ...refund(1), confidence: 7 });
    expect(invalid.isError).toBe(true);
    expect(agent.proposals).toHaveLength(1);
  });

  it('hands a session to a person; pending names the handoff, and get_handback returns the handback', async () => {
    const args = { session_id: 'chat-1', reason: 'asked for a person', transcript: [{ from: 'user', text: 'a human please' }], wait_seconds: 0.1 };
    const pending = await call('request_human', args);
    expect(pending.structuredContent).toMatchObject({ status: 'pending', session_id: 'chat-1' });
    const handoffId = (pending.structuredContent as { handoff_id: string }).handoff_id;
    expect(agent.humans[0]).toMatchObject({ handoff_id: handoffId, session_id: 'chat-1', reason: 'asked for a person' });
    const later = call('get_handback', { handoff_id: handoffId, wait_seconds: 5 });
    agent.handbacks.get(handoffId)!.resolve({
      handoff_id: handoffId,
      session_id: 'chat-1',
      resolution: 'handed_back',
      notes: 'done',
      reply: null,
      returned_by: 'rev-alice',
      checkpoint: null,
    });
    expect((await later).structuredContent).toMatchObject({ status: 'handed_back', notes: 'done', returned_by: 'rev-alice' });
  });
});
