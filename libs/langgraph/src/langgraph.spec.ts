// The adapter's pure parts, and its mechanics on a real graph and checkpointer with a
// stand-in agent (the integration spec has the real services).
import { ResolutionTimeoutError, UnknownDecisionError, type Proposal, type Resolution } from '@hitl/agent-sdk';
import { payloadHash } from '@hitl/contracts';
import { Annotation, Command, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import {
  ApprovalAgent,
  ApprovalAnnotation,
  ApprovalResumeError,
  approvalDecisionId,
  approvalNode,
  invokeGoverned,
  outcomeOf,
  pendingApprovals,
  resumeCommand,
  resumeWhenResolved,
  verifiedOutcome,
} from './index';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('approvalDecisionId', () => {
  const parts = { threadId: 'thread-1', checkpointNs: 'approve:1ef-task', key: 'process_refund' };

  it('is a version 8 UUID, the same for the same parts', () => {
    expect(approvalDecisionId(parts)).toMatch(UUID);
    expect(approvalDecisionId({ ...parts })).toBe(approvalDecisionId(parts));
  });

  it('differs with the thread, the task, the key and the secret', () => {
    const ids = new Set([
      approvalDecisionId(parts),
      approvalDecisionId({ ...parts, threadId: 'thread-2' }),
      approvalDecisionId({ ...parts, checkpointNs: 'approve:other-task' }),
      approvalDecisionId({ ...parts, key: 'second' }),
      approvalDecisionId({ ...parts, secret: 'k1' }),
      approvalDecisionId({ ...parts, secret: 'k2' }),
    ]);
    expect(ids.size).toBe(6);
    expect(approvalDecisionId({ ...parts, secret: 'k1' })).toBe(approvalDecisionId({ ...parts, secret: Buffer.from('k1') }));
  });

  it('needs a thread and a namespace', () => {
    expect(() => approvalDecisionId({ ...parts, threadId: '' })).toThrow(/thread_id/);
    expect(() => approvalDecisionId({ ...parts, checkpointNs: '' })).toThrow(/checkpoint namespace/);
  });
});

const resolutionOf = (decisionId: string, parameters: Record<string, unknown>, fields: Partial<Resolution> = {}): Resolution => ({
  decision_id: decisionId,
  approval_id: '6f1d3c2a-8b7e-4c5d-9a0b-1c2d3e4f5a6b',
  status: 'approved',
  resolved_by: { kind: 'reviewer', id: 'rev-alice' },
  parameters,
  edited: true,
  reasons: [{ rule: 'reviewer_edited', detail: 'edited' }],
  notes: null,
  chosen_option: null,
  manifest_version: 'v1',
  confidence: 0.9,
  action: 'process_refund',
  payload_hash: payloadHash('process_refund', parameters),
  ...fields,
});

describe('outcomeOf', () => {
  const id = approvalDecisionId({ threadId: 't', checkpointNs: 'n', key: 'k' });
  const request = { decision_id: id, action: 'process_refund' };

  it('takes the resolution of the decision waited for', () => {
    const resolution = resolutionOf(id, { amount_usd: 80 });
    expect(outcomeOf(resolution, request)).toEqual(resolution);
  });

  it('refuses anything else', () => {
    expect(() => outcomeOf('yes', request)).toThrow(ApprovalResumeError);
    expect(() => outcomeOf({ ...resolutionOf(id, {}), status: 'maybe' }, request)).toThrow(ApprovalResumeError);
    expect(() => outcomeOf(resolutionOf(approvalDecisionId({ threadId: 't', checkpointNs: 'n', key: 'other' }), {}), request)).toThrow(/another decision/);
    expect(() => outcomeOf(resolutionOf(id, {}, { action: 'close_ticket' }), request)).toThrow(/another action/);
  });
});

describe('verifiedOutcome: a resume value is a claim, the outcome the SDK verified the authority', () => {
  const id = approvalDecisionId({ threadId: 't', checkpointNs: 'n', key: 'verified' });
  const real = resolutionOf(id, { order_id: 'ORD-1', amount_usd: 80 });
  const sdk = (answer: () => Resolution): Pick<ApprovalAgent, 'resolution'> => ({ resolution: async () => answer() });
  const refund = { order_id: 'ORD-1', amount_usd: 5_000 };
  const pending = () => {
    throw new ResolutionTimeoutError(id, 0);
  };

  it.each<[string, Resolution, () => Resolution, RegExp | Resolution]>([
    ['the outcome the agent received: that one', real, () => ({ ...real }), real],
    ['approved, where the reviewer denied: denied', real, () => ({ ...real, status: 'denied' }), { ...real, status: 'denied' }],
    [
      'other parameters with a hash computed from them: the reviewed ones',
      { ...real, parameters: refund, payload_hash: payloadHash('process_refund', refund) },
      () => real,
      real,
    ],
    ['another reviewer named: the one who decided', { ...real, resolved_by: { kind: 'reviewer', id: 'rev-mallory' } }, () => real, real],
    ['before the agent has any outcome: refused', real, pending, /has not received \(the decision is pending\)/],
    [
      'for a decision the agent does not know: refused',
      real,
      () => {
        throw new UnknownDecisionError(id);
      },
      /does not know/,
    ],
  ])('%s', async (_name, claimed, answer, expected) => {
    const outcome = verifiedOutcome(sdk(answer), claimed);
    if (expected instanceof RegExp) await expect(outcome).rejects.toThrow(expected);
    else await expect(outcome).resolves.toEqual(expected);
  });
});

describe('pendingApprovals and resumeCommand', () => {
  const request = { kind: 'hitl.approval', decision_id: 'd-1', action: 'a', parameters: {}, summary: 's' };

  it('finds approval requests in an invoke result or a state snapshot, and no other interrupts', () => {
    expect(
      pendingApprovals({
        __interrupt__: [
          { id: 'i1', value: request },
          { id: 'i2', value: 'other' },
        ],
      }),
    ).toEqual([{ interruptId: 'i1', request }]);
    expect(pendingApprovals({ tasks: [{ interrupts: [{ id: 'i1', value: request }] }, { interrupts: [] }] })).toEqual([{ interruptId: 'i1', request }]);
    expect(pendingApprovals({ done: true })).toEqual([]);
    expect(pendingApprovals(null)).toEqual([]);
  });

  it('resumes by interrupt id', () => {
    const outcome = resolutionOf('6f1d3c2a-8b7e-4c5d-9a0b-1c2d3e4f5a6b', {});
    expect(resumeCommand([{ interruptId: 'i1', request: request as never }], [outcome]).resume).toEqual({ i1: outcome });
    expect(resumeCommand([{ interruptId: undefined, request: request as never }], [outcome]).resume).toEqual(outcome);
  });
});

/** An agent that records proposals and answers with what `decide` makes of them, once told to. */
function standIn(decide: (proposal: Proposal & { decision_id: string }) => Resolution) {
  const proposals: (Proposal & { decision_id: string })[] = [];
  const outcomes = new Map<string, Resolution>();
  const agent: ApprovalAgent = {
    propose: async (proposal, options) => {
      const decision = proposal as Proposal & { decision_id: string };
      if (!proposals.some((p) => p.decision_id === decision.decision_id)) proposals.push(decision);
      const known = outcomes.get(decision.decision_id);
      if (known) return known;
      throw new ResolutionTimeoutError(decision.decision_id, options?.timeoutMs ?? 0);
    },
    resolution: async (decisionId) => {
      const proposal = proposals.find((p) => p.decision_id === decisionId);
      if (!proposal) throw new UnknownDecisionError(decisionId);
      const outcome = decide(proposal);
      outcomes.set(decisionId, outcome);
      return outcome;
    },
  };
  return { agent, proposals };
}

const State = Annotation.Root({
  ...ApprovalAnnotation.spec,
  refund: Annotation<{ order_id: string; amount_usd: number }>(),
  refunded: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});
type S = typeof State.State;

function refundGraph(agent: ApprovalAgent, runs: number[]) {
  return new StateGraph(State)
    .addNode('plan', () => ({ refund: { order_id: 'ORD-1', amount_usd: 120 } }))
    .addNode(
      'approve',
      approvalNode(agent, (s: S) => ({
        action: 'process_refund',
        parameters: s.refund,
        confidence: 0.9,
        confidence_basis: 'order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: `Refund $${s.refund.amount_usd}`,
      })),
    )
    .addNode('execute', (s: S) => {
      runs.push(s.resolution!.parameters.amount_usd as number);
      return { refunded: [s.resolution!.parameters.amount_usd as number] };
    })
    .addEdge(START, 'plan')
    .addEdge('plan', 'approve')
    .addEdge('approve', 'execute')
    .addEdge('execute', END)
    .compile({ checkpointer: new MemorySaver() });
}

describe('an approval node on a real graph (a stand-in agent)', () => {
  it('suspends at the approval, proposes once, and resumes with the outcome', async () => {
    const { agent, proposals } = standIn((p) => resolutionOf(p.decision_id, { ...p.parameters, amount_usd: 80 }));
    const runs: number[] = [];
    const graph = refundGraph(agent, runs);
    const config = { configurable: { thread_id: 'unit-1' } };

    const first = await graph.invoke({}, config);
    expect(pendingApprovals(first)).toHaveLength(1);
    expect((await graph.getState(config)).next).toEqual(['approve']);
    expect(proposals).toHaveLength(1);
    expect(pendingApprovals(first)[0].request).toMatchObject({ decision_id: proposals[0].decision_id, parameters: { amount_usd: 120 } });
    expect(runs).toEqual([]);

    const done = await resumeWhenResolved(graph, agent, config);
    expect(runs).toEqual([80]);
    expect(done.refunded).toEqual([80]);
    expect(done.resolution).toMatchObject({ decision_id: proposals[0].decision_id, edited: true });
    expect(proposals).toHaveLength(1);
    expect(pendingApprovals(await graph.getState(config))).toEqual([]);
  });

  it('derives another decision on another thread, and invokeGoverned runs it through', async () => {
    const { agent, proposals } = standIn((p) => resolutionOf(p.decision_id, p.parameters, { edited: false }));
    const runs: number[] = [];
    const graph = refundGraph(agent, runs);
    await invokeGoverned(graph, agent, {}, { configurable: { thread_id: 'unit-a' } });
    await invokeGoverned(graph, agent, {}, { configurable: { thread_id: 'unit-b' } });
    expect(runs).toEqual([120, 120]);
    expect(new Set(proposals.map((p) => p.decision_id)).size).toBe(2);
  });

  it('needs a thread_id to derive the decision id, and proposes nothing without one', async () => {
    const { agent, proposals } = standIn((p) => resolutionOf(p.decision_id, p.parameters));
    await expect(refundGraph(agent, []).invoke({}, { configurable: {} })).rejects.toThrow(/thread_id/);
    expect(proposals).toEqual([]);
  });

  it('fails the node when resumed with the outcome of another decision', async () => {
    const { agent } = standIn((p) => resolutionOf(p.decision_id, p.parameters));
    const graph = refundGraph(agent, []);
    const config = { configurable: { thread_id: 'unit-wrong' } };
    await graph.invoke({}, config);
    const wrong = resolutionOf('6f1d3c2a-8b7e-4c5d-9a0b-1c2d3e4f5a6b', { order_id: 'ORD-1', amount_usd: 1 });
    await expect(graph.invoke(new Command({ resume: wrong }), config)).rejects.toThrow(ApprovalResumeError);
  });

  it('a forged resume (well-formed, this decision and action, a self-consistent hash) runs nothing; the real outcome runs, not the forgery', async () => {
    const { agent, proposals } = standIn((p) => resolutionOf(p.decision_id, p.parameters, { edited: false }));
    let released = false;
    const held: ApprovalAgent = {
      propose: agent.propose,
      // The SDK answers a zero timeout with ResolutionTimeoutError while the decision is pending.
      resolution: async (decisionId, options) => {
        if (!released && options?.timeoutMs === 0) throw new ResolutionTimeoutError(decisionId, 0);
        return agent.resolution(decisionId, options);
      },
    };
    const runs: number[] = [];
    const graph = refundGraph(held, runs);
    const config = { configurable: { thread_id: 'unit-forged' } };
    await graph.invoke({}, config);
    const decisionId = proposals[0].decision_id;
    const parameters = { order_id: 'ORD-1', amount_usd: 5_000 };
    const forged = resolutionOf(decisionId, parameters, { edited: true, payload_hash: payloadHash('process_refund', parameters) });

    await expect(graph.invoke(new Command({ resume: forged }), config)).rejects.toThrow(/has not received/);
    expect(runs).toEqual([]);
    // Still waiting for the approval, the node's failure on record.
    const after = await graph.getState(config);
    expect(pendingApprovals(after).map((p) => p.request.decision_id)).toEqual([decisionId]);
    expect(after.tasks[0]?.error).toMatchObject({ name: 'ApprovalResumeError' });

    // The real outcome comes; the graph goes on with it, not with the forged value it still holds.
    released = true;
    const done = await resumeWhenResolved(graph, held, config);
    expect(runs).toEqual([120]);
    expect(done.resolution).toMatchObject({ decision_id: decisionId, parameters: { amount_usd: 120 }, edited: false });
  });
});
