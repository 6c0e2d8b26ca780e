// The MCP server (libs/mcp-server) as an MCP client starts it, driven by the MCP SDK's own
// client over stdio and over Streamable HTTP, on the real router and escalation services: a
// small refund is approved by policy at once; a larger one the policy gives a person (the
// refunds manifest: $50 and up below confidence 0.97, or anything above $500) waits, with
// progress notifications, until a reviewer approves it through the reviewer API; with a short
// wait the answer is `pending`, and get_decision later returns what the reviewer decided.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { testTrust } from '@hitl/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Stack, TOKENS, root } from './support/stack';

const stack = new Stack();
const MAIN = 'libs/mcp-server/src/main.ts';

/** The server's environment, as an MCP client's configuration gives it (plus the run's Kafka TLS/SASL, if any). */
function serverEnv(replicaId: string): Record<string, string> {
  const trust = testTrust();
  const kafka = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => name.startsWith('KAFKA_') && value !== undefined)) as Record<
    string,
    string
  >;
  return {
    ...kafka,
    PATH: process.env.PATH ?? '',
    HITL_AGENT_ID: 'refund-bot',
    HITL_WORKSPACE: 'acme-support',
    HITL_KAFKA_BROKERS: stack.brokers,
    HITL_TOPIC_PREFIX: stack.prefix,
    HITL_SIGNING_KEY_FILE: join(trust.dir, 'refund-bot.key.pem'),
    HITL_ROUTER_JWKS_FILE: join(trust.dir, 'router.jwks.json'),
    HITL_ESCALATION_JWKS_FILE: join(trust.dir, 'escalation.jwks.json'),
    // Each server reads every outcome in a consumer group of its own.
    HITL_REPLICA_ID: replicaId,
    HITL_MCP_PROGRESS_SECONDS: '1',
    HITL_LOG_LEVEL: process.env.HITL_TEST_VERBOSE ? 'debug' : 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}

/** The server over Streamable HTTP, as its own process: its URL once it listens. */
async function startHttpServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN, '--http', '0'], {
    cwd: root,
    env: { ...env, HITL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the HTTP server did not listen within 60 s:\n${log}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)"/.exec(log);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the HTTP server exited (${code}):\n${log}`));
    });
  });
  return { url, child };
}

const refund = (amount: number, fields: Record<string, unknown> = {}) => ({
  decision_id: randomUUID(),
  action: 'process_refund',
  parameters: { order_id: `ORD-MCP-${amount}`, amount_usd: amount },
  confidence: 0.97,
  confidence_basis: 'the order history matches and the customer sent a photo of the damage',
  uncertainty_factors: [],
  summary: `Refund $${amount} to the card used for ORD-MCP-${amount}.`,
  context: { situation: 'the parcel arrived damaged' },
  ...fields,
});

type InboxItem = { decision_id: string; approval_id: string; payload_hash: string; reviewer_role: string };

/** The approval of a decision, once it is in the support agents' queue (as Alice sees it). */
const inInbox = (decisionId: string) =>
  stack.eventually(`decision ${decisionId} in the support agent inbox`, async () => {
    const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
    return (inbox.json.items as InboxItem[] | undefined)?.find((i) => i.decision_id === decisionId);
  });

const text = (result: CallToolResult) => (result.content[0] as { type: 'text'; text: string }).text;

describe('the MCP server, driven by the MCP SDK client', () => {
  const clients: Client[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await stack.start(['router', 'escalation']);
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await stack.stop();
  });

  const transports: [string, () => Promise<Client>][] = [
    [
      'stdio',
      async () => {
        const transport = new StdioClientTransport({
          command: process.execPath,
          args: ['-r', '@swc-node/register', MAIN],
          cwd: root,
          env: serverEnv(`mcp-stdio-${stack.id}`),
          stderr: 'inherit',
        });
        const client = new Client({ name: 'mcp-spec', version: '1.0.0' });
        clients.push(client);
        await client.connect(transport);
        return client;
      },
    ],
    [
      'Streamable HTTP',
      async () => {
        const { url, child } = await startHttpServer(serverEnv(`mcp-http-${stack.id}`));
        children.push(child);
        const client = new Client({ name: 'mcp-spec', version: '1.0.0' });
        clients.push(client);
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        return client;
      },
    ],
  ];

  describe.each(transports)('over %s', (_name, connect) => {
    let client: Client;

    beforeAll(async () => {
      client = await connect();
    });

    const call = (name: string, args: Record<string, unknown>, onprogress?: (p: { progress: number; message?: string }) => void) =>
      client.callTool({ name, arguments: args }, undefined, {
        timeout: 120_000,
        ...(onprogress ? { onprogress, resetTimeoutOnProgress: true } : {}),
      }) as Promise<CallToolResult>;

    it('lists request_approval, get_decision, request_human and get_handback', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_decision', 'get_handback', 'request_approval', 'request_human']);
    });

    it('request_approval: a $20 refund at confidence 0.97 is approved by policy at once', async () => {
      const proposal = refund(20);
      const result = await call('request_approval', proposal);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        status: 'approved',
        decision_id: proposal.decision_id,
        action: 'process_refund',
        parameters: proposal.parameters,
        edited: false,
        resolved_by: { kind: 'policy' },
        payload_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });
      expect(text(result)).toContain('APPROVED by policy');
    });

    it('request_approval: a $400 refund at confidence 0.9 waits for a person, with progress notifications, and returns what the reviewer decided', async () => {
      const proposal = refund(400, { confidence: 0.9 });
      const progress: { progress: number; message?: string }[] = [];
      const answer = call('request_approval', { ...proposal, wait_seconds: 110 }, (p) => progress.push(p));
      const item = await inInbox(proposal.decision_id);
      expect(item.reviewer_role).toBe('support_agent');
      // The client hears that the server is waiting before anyone decides.
      await stack.eventually('a progress notification', async () => progress.length > 0);
      const decided = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/approve`, TOKENS.alice, {
        payload_hash: item.payload_hash,
        notes: 'photo checked',
      });
      expect(decided).toMatchObject({ status: 200, json: { status: 'approved' } });

      const result = await answer;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        status: 'approved',
        decision_id: proposal.decision_id,
        parameters: proposal.parameters,
        edited: false,
        resolved_by: { kind: 'reviewer', id: 'rev-alice' },
        notes: 'photo checked',
        payload_hash: item.payload_hash,
      });
      expect(text(result)).toContain('APPROVED by reviewer rev-alice');
      expect(progress[0].message).toContain(`waiting for a policy or a person to decide process_refund ${proposal.decision_id}`);
      expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    });

    it('with a short wait, request_approval answers pending (a $600 refund: above the ceiling), and get_decision later returns the outcome', async () => {
      const proposal = refund(600);
      const pending = await call('request_approval', { ...proposal, wait_seconds: 1 });
      expect(pending.structuredContent).toMatchObject({ status: 'pending', decision_id: proposal.decision_id, action: 'process_refund' });
      expect(text(pending)).toContain(`Call get_decision with decision_id "${proposal.decision_id}"`);

      const item = await inInbox(proposal.decision_id);
      const denied = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/deny`, TOKENS.alice, {
        reason: 'the order was already refunded',
      });
      expect(denied).toMatchObject({ status: 200, json: { status: 'denied' } });

      const later = await call('get_decision', { decision_id: proposal.decision_id, wait_seconds: 60 });
      expect(later.structuredContent).toMatchObject({
        status: 'denied',
        decision_id: proposal.decision_id,
        resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      });
      expect(text(later)).toContain('DENIED by reviewer rev-alice. Do not run process_refund');
      expect(text(later)).toContain('the order was already refunded');
    });

    it('request_human hands the session to a person; pending names the handoff, and get_handback returns it handed back with the notes', async () => {
      const session = `chat-mcp-${randomUUID().slice(0, 8)}`;
      const transcript = [
        { from: 'user', text: 'The refund you offered is not enough.' },
        { from: 'agent', text: 'I can offer $129.50.' },
        { from: 'user', text: 'Get me a human.' },
      ];
      const pending = await call('request_human', {
        session_id: session,
        reason: 'the customer asked for a person',
        transcript,
        checkpoint: { step: 'offer_refund' },
        on_behalf_of: 'customer:c-8812',
        wait_seconds: 1,
      });
      expect(pending.structuredContent).toMatchObject({ status: 'pending', session_id: session, handoff_id: expect.any(String) });
      const handoffId = (pending.structuredContent as { handoff_id: string }).handoff_id;

      const handoff = await stack.eventually(`the handoff of ${session} to be open`, async () => {
        const page = await stack.call('escalation', 'GET', '/handoffs', TOKENS.alice);
        return (page.json.items as { id: string; session_id: string; state: string }[]).find((h) => h.session_id === session && h.state === 'open');
      });
      expect(handoff.id).toBe(handoffId);
      const seen = await stack.call('escalation', 'GET', `/handoffs/${handoffId}`, TOKENS.alice);
      expect(seen.json).toMatchObject({ transcript, reason: 'the customer asked for a person', on_behalf_of: 'customer:c-8812' });
      expect(await stack.call('escalation', 'POST', `/handoffs/${handoffId}/take`, TOKENS.alice)).toMatchObject({ status: 200 });
      const back = call('get_handback', { handoff_id: handoffId, wait_seconds: 60 });
      expect(
        await stack.call('escalation', 'POST', `/handoffs/${handoffId}/return`, TOKENS.alice, {
          resolution: 'handed_back',
          notes: 'Refunded the shipping by hand; offer the $129.50 again.',
          reply: 'I refunded your shipping.',
        }),
      ).toMatchObject({ status: 200 });
      const handback = await back;
      expect(handback.structuredContent).toMatchObject({
        status: 'handed_back',
        handoff_id: handoffId,
        session_id: session,
        notes: 'Refunded the shipping by hand; offer the $129.50 again.',
        reply: 'I refunded your shipping.',
        returned_by: 'rev-alice',
        checkpoint: { step: 'offer_refund' },
      });
      expect(text(handback)).toContain('rev-alice handed session');
    });

    it('refuses arguments that break the contract with a tool error', async () => {
      const result = await call('request_approval', { ...refund(10), parameters: { order_id: 'ORD-MCP-X', amount_usd: 10 }, summary: 'x', confidence: 2 });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/confidence/i);
    });
  });
});
