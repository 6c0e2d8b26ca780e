// @hitl/langgraph against the real router and escalation service: a LangGraph graph (plain
// function nodes, a MemorySaver checkpointer, no language model) that suspends at its
// approval node, is resumed with a reviewer's edit, and runs the edited parameters, once; and
// a resume forged by whoever may resume the graph runs nothing.
import { HitlAgent, Resolution } from '@hitl/agent-sdk';
import { exampleEvent, payloadHash } from '@hitl/contracts';
import {
  ApprovalAnnotation,
  ApprovalResumeError,
  NoPendingApprovalError,
  approvalNode,
  invokeGoverned,
  pendingApprovals,
  resumeWhenResolved,
} from '@hitl/langgraph';
import { query, readWholeTopic } from '@hitl/testing';
import { Annotation, Command, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
let agent: HitlAgent;

/** Every event of the run on a topic, as JSON. */
const eventsOn = async (topic: string) => (await readWholeTopic(stack.kafka, `${stack.prefix}${topic}`)).map((m) => JSON.parse(m.value!.toString()));

const State = Annotation.Root({
  ...ApprovalAnnotation.spec,
  order_id: Annotation<string>(),
  amount_usd: Annotation<number>(),
  refund: Annotation<{ order_id: string; amount_usd: number }>(),
  refunded: Annotation<{ order_id: string; amount_usd: number } | undefined>(),
});
type RefundState = typeof State.State;

/** What the execute node ran, across every graph of the spec (the payment system). */
const payments: { order_id: string; amount_usd: number }[] = [];
const planned: string[] = [];

function refundGraph() {
  return new StateGraph(State)
    .addNode('plan', (s: RefundState) => {
      planned.push(s.order_id);
      return { refund: { order_id: s.order_id, amount_usd: s.amount_usd } };
    })
    .addNode(
      'approve',
      approvalNode(agent, (s: RefundState) => ({
        action: 'process_refund',
        parameters: s.refund,
        confidence: 0.9,
        confidence_basis: 'matches the order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: `Refund $${s.refund.amount_usd} for ${s.refund.order_id}.`,
      })),
    )
    .addNode('execute', async (s: RefundState) => ({
      refunded: await agent.guard(s.resolution as Resolution, (parameters) => {
        const payment = { order_id: parameters.order_id as string, amount_usd: parameters.amount_usd as number };
        payments.push(payment);
        return payment;
      }),
    }))
    .addEdge(START, 'plan')
    .addEdge('plan', 'approve')
    .addConditionalEdges('approve', (s: RefundState) => (s.resolution?.status === 'approved' ? 'execute' : END), ['execute', END])
    .addEdge('execute', END)
    .compile({ checkpointer: new MemorySaver() });
}

beforeAll(async () => {
  await stack.start(['router', 'escalation']);
  agent = await stack.agent('langgraph-spec');
  await agent.start();
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await stack.stop();
});

describe('a LangGraph graph governed by hitl', () => {
  it('suspends at the approval node, is resumed by a reviewer’s edit, and runs the edited parameters once', async () => {
    const graph = refundGraph();
    const config = { configurable: { thread_id: 'refund-thread-120' } };

    // The graph stops at the approval: policy approves a refund above $50 only at confidence 0.97.
    const suspended = await graph.invoke({ order_id: 'ORD-LG1', amount_usd: 120 }, config);
    const [pending] = pendingApprovals(suspended);
    expect(pending.request).toMatchObject({ kind: 'hitl.approval', action: 'process_refund', parameters: { order_id: 'ORD-LG1', amount_usd: 120 } });
    const decisionId = pending.request.decision_id;
    const state = await graph.getState(config);
    expect(state.next).toEqual(['approve']);
    expect(state.tasks[0].interrupts[0].value).toEqual(pending.request);
    expect(payments).toEqual([]);

    // A support agent edits the amount down to $80 through the escalation API.
    const item = await stack.eventually('the refund in the support agent inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string; payload_hash: string }[] | undefined)?.find((i) => i.decision_id === decisionId);
    });
    const edited = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/edit`, TOKENS.alice, {
      payload_hash: item.payload_hash,
      parameters: { order_id: 'ORD-LG1', amount_usd: 80 },
      notes: 'only the damaged item',
    });
    expect(edited).toMatchObject({ status: 200, json: { status: 'approved' } });

    // The driver awaits the outcome through the SDK and resumes the graph with it.
    const done = await resumeWhenResolved(graph, agent, config, { timeoutMs: 60_000 });
    expect(done.resolution).toMatchObject({
      decision_id: decisionId,
      status: 'approved',
      edited: true,
      parameters: { order_id: 'ORD-LG1', amount_usd: 80 },
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
    });
    expect(done.refunded).toEqual({ order_id: 'ORD-LG1', amount_usd: 80 });
    expect(payments).toEqual([{ order_id: 'ORD-LG1', amount_usd: 80 }]);
    expect(planned).toEqual(['ORD-LG1']);
    expect((await graph.getState(config)).next).toEqual([]);

    // Nothing to resume any more; invoking the finished thread again runs nothing.
    await expect(resumeWhenResolved(graph, agent, config)).rejects.toBeInstanceOf(NoPendingApprovalError);
    await graph.invoke(null, config);
    expect(payments).toHaveLength(1);

    // One decision, proposed once (the node ran twice: suspended, then resumed), and one
    // action.executed with the edited parameters.
    const proposed = (await eventsOn('decision.proposed')).filter((e) => e.subject === decisionId);
    expect(proposed).toHaveLength(1);
    expect(await query('SELECT decision_id FROM router.decisions', [], stack.databaseUrl)).toEqual([{ decision_id: decisionId }]);
    const executed = await stack.eventually('the action.executed of the refund', async () => {
      const events = (await eventsOn('action.executed')).filter((e) => e.subject === decisionId);
      return events.length > 0 && events;
    });
    expect(executed.map((e: { data: { parameters: unknown; succeeded: boolean } }) => [e.data.parameters, e.data.succeeded])).toEqual([
      [{ order_id: 'ORD-LG1', amount_usd: 80 }, true],
    ]);
  });

  it('a refund policy approves runs through invokeGoverned without a person', async () => {
    const graph = refundGraph();
    const config = { configurable: { thread_id: 'refund-thread-20' } };
    const done = await invokeGoverned(graph, agent, { order_id: 'ORD-LG2', amount_usd: 20 }, config, { timeoutMs: 60_000 });
    expect(done.resolution).toMatchObject({ status: 'approved', resolved_by: { kind: 'policy' }, edited: false });
    expect(done.refunded).toEqual({ order_id: 'ORD-LG2', amount_usd: 20 });
    expect(payments).toContainEqual({ order_id: 'ORD-LG2', amount_usd: 20 });
    expect(await query('SELECT decision_id FROM router.decisions', [], stack.databaseUrl)).toHaveLength(2);
  });

  it('a forged resume (a reviewer’s approval of another amount, its hash computed) runs nothing; the reviewer’s denial is what the graph takes', async () => {
    const graph = refundGraph();
    const config = { configurable: { thread_id: 'refund-thread-300' } };
    const [pending] = pendingApprovals(await graph.invoke({ order_id: 'ORD-LG3', amount_usd: 300 }, config));
    const decisionId = pending.request.decision_id;

    // Whoever may resume the graph (a LangGraph server's API client, say) writes an approval.
    const parameters = { order_id: 'ORD-LG3', amount_usd: 5_000 };
    const forged: Resolution = {
      ...(exampleEvent('hitl.approval.resolved.v1').data as Resolution),
      decision_id: decisionId,
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      action: 'process_refund',
      parameters,
      edited: true,
      payload_hash: payloadHash('process_refund', parameters),
    };
    await expect(graph.invoke(new Command({ resume: forged }), config)).rejects.toThrow(ApprovalResumeError);
    expect(payments.filter((p) => p.order_id === 'ORD-LG3')).toEqual([]);

    // The reviewer denies it; the graph, resumed, takes the denial the SDK verified and ends.
    const item = await stack.eventually('the refund in the support agent inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string }[] | undefined)?.find((i) => i.decision_id === decisionId);
    });
    expect(await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/deny`, TOKENS.alice, { reason: 'not eligible' })).toMatchObject({
      status: 200,
    });
    const done = await resumeWhenResolved(graph, agent, config, { timeoutMs: 60_000 });
    expect(done.resolution).toMatchObject({ decision_id: decisionId, status: 'denied', resolved_by: { kind: 'reviewer', id: 'rev-alice' } });
    expect(done.refunded).toBeUndefined();
    expect(payments.filter((p) => p.order_id === 'ORD-LG3')).toEqual([]);
  });
});
