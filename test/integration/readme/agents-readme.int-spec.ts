// The README's "Agents: four roads", run as the README has them: each road's snippet is read out
// of README.md (the fenced block after its `<!-- snippet: name -->` comment), never copied, so
// the README cannot drift from what works. Each one runs against the router, the escalation
// service and the agent gateway as real processes on the real broker and database, with only
// what differs from `npm start` replaced by plain string replacement (the addresses, the run's
// topic prefix, the folder of the run's keys, the repository's path) and the gateway token in
// $TOKEN; each proposes a $20 refund at confidence 0.97, which the refunds manifest approves by
// policy, and must print (or, for MCP, answer) `approved`:
// 1. the TypeScript SDK snippet, run with `node -r @swc-node/register`;
// 2. the curl snippet, run with bash;
// 3. the MCP configuration block: the server started exactly as its command, args, cwd and env
//    say, through the MCP SDK's own stdio client, and asked `request_approval`;
// 4. the Python snippet, run with python3 on clients/python/src.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_AGENTS, testTrust } from '@hitl/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Stack, root } from '../support/stack';

/** The fenced block right after `<!-- snippet: name -->` in `markdown`: its language and its text. */
function snippet(markdown: string, name: string): { lang: string; code: string } {
  const marker = `<!-- snippet: ${name} -->`;
  const at = markdown.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no ${marker}`);
  if (markdown.indexOf(marker, at + 1) >= 0) throw new Error(`README.md has ${marker} more than once`);
  const block = /^[ \t]*\n(?:[ \t]*\n)*```(\w+)\n([\s\S]*?)\n```[ \t]*\n/.exec(markdown.slice(at + marker.length) + '\n');
  if (!block) throw new Error(`no fenced code block right after ${marker} in README.md`);
  return { lang: block[1], code: `${block[2]}\n` };
}

/**
 * `code` with each placeholder replaced everywhere by its value (plain text, no patterns). A
 * placeholder the snippet no longer has is an error: the snippet would otherwise run as written,
 * against the wrong address or keys, and fail for a reason far from the cause.
 */
function substitute(code: string, replacements: readonly (readonly [string, string])[]): string {
  let out = code;
  for (const [placeholder, value] of replacements) {
    if (!out.includes(placeholder)) throw new Error(`the snippet no longer has ${JSON.stringify(placeholder)}:\n${code}`);
    out = out.split(placeholder).join(value);
  }
  return out;
}

/** Runs a command to its end, asynchronously (the services keep answering meanwhile). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** The lines a snippet printed, without blank ones; its output in the error when it failed. */
function linesOf(name: string, result: { status: number | null; stdout: string; stderr: string }): string[] {
  if (result.status !== 0) throw new Error(`the ${name} snippet exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

/** The run's Kafka TLS and SASL settings, if any: the MCP server takes them from its environment, as the services do. */
const kafkaSecurityEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('KAFKA_') && entry[1] !== undefined));

describe('the README: agents, the four roads, each snippet as the README has it', () => {
  const stack = new Stack();
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const token = GATEWAY_AGENTS['lambda-bot'].token;
  let dir: string;
  let mcp: Client | undefined;

  // What `npm start` has that this run has elsewhere. The keys: the run's throwaway ones, named as `npm start` names them in .infra/keys/.
  const keysFolder = (): readonly [string, string] => ['.infra/keys/', `${testTrust().dir}/`];
  const gatewayUrl = (): readonly [string, string] => ['http://127.0.0.1:3006', stack.urls.gateway];

  beforeAll(async () => {
    for (const [command, args] of [
      ['curl', ['--version']],
      ['jq', ['--version']],
      ['python3', ['-c', 'import cryptography']],
    ] as const) {
      const ready = spawnSync(command, [...args], { encoding: 'utf8' });
      if (ready.status !== 0) throw new Error(`the README's snippets need ${command} (${args.join(' ')} failed): ${ready.error ?? ready.stderr}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'hitl-readme-'));
    await stack.start(['router', 'escalation', 'gateway']);
  }, 240_000);

  afterAll(async () => {
    await mcp?.close().catch(() => undefined);
    await stack.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('road 1, Kafka with @hitl/agent-sdk: the TypeScript snippet prints approved', async () => {
    const { lang, code } = snippet(readme, 'kafka-sdk');
    expect(lang).toBe('ts');
    const file = join(dir, 'refund.ts');
    writeFileSync(
      file,
      substitute(code, [["['127.0.0.1:9092']", JSON.stringify(stack.brokers.split(','))], ["topicPrefix: ''", `topicPrefix: '${stack.prefix}'`], keysFolder()]),
    );
    const result = await run(process.execPath, ['-r', '@swc-node/register', file], { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' }, 150_000);
    expect(linesOf('kafka-sdk', result)).toEqual(['approved']);
  }, 180_000);

  it('road 2, HTTP through the agent gateway: the curl snippet prints approved', async () => {
    const { lang, code } = snippet(readme, 'gateway-curl');
    expect(lang).toBe('sh');
    const file = join(dir, 'gateway.sh');
    writeFileSync(file, substitute(code, [gatewayUrl()]));
    const result = await run('bash', ['-e', '-o', 'pipefail', file], { ...process.env, TOKEN: token }, 90_000);
    expect(linesOf('gateway-curl', result)).toEqual(['approved']);
  }, 120_000);

  it('road 3, MCP: the server started as the mcpServers block says answers request_approval approved, by policy', async () => {
    const { lang, code } = snippet(readme, 'mcp-config');
    expect(lang).toBe('json');
    const config = JSON.parse(
      substitute(code, [
        ['"127.0.0.1:9092"', JSON.stringify(stack.brokers)],
        ['"HITL_TOPIC_PREFIX": ""', `"HITL_TOPIC_PREFIX": ${JSON.stringify(stack.prefix)}`],
        keysFolder(),
        ['/path/to/hitl', root],
      ]),
    ) as { mcpServers: Record<string, { command: string; args: string[]; cwd: string; env: Record<string, string> }> };
    const server = config.mcpServers.hitl;
    expect(server).toBeDefined();
    mcp = new Client({ name: 'readme-spec', version: '1.0.0' });
    // Exactly the block's command, args, cwd and env; the run's Kafka TLS/SASL settings are added when it has any.
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      cwd: server.cwd,
      env: { ...kafkaSecurityEnv(), ...server.env },
      stderr: 'pipe',
    });
    let log = '';
    transport.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await mcp.connect(transport).catch((error: Error) => {
      throw new Error(`the MCP server of the README's block did not start (${error.message}):\n${log}`);
    });
    const result = (await mcp.callTool(
      {
        name: 'request_approval',
        arguments: {
          action: 'process_refund',
          parameters: { order_id: 'ORD-1', amount_usd: 20 },
          confidence: 0.97,
          confidence_basis: 'matches the order history',
          uncertainty_factors: [],
          summary: 'Refund $20 for order ORD-1.',
          context: { channel: 'chat' },
        },
      },
      undefined,
      { timeout: 120_000 },
    )) as CallToolResult;
    if (result.isError) throw new Error(`request_approval failed: ${JSON.stringify(result.content)}\n${log}`);
    expect(result.structuredContent).toMatchObject({
      status: 'approved',
      action: 'process_refund',
      parameters: { order_id: 'ORD-1', amount_usd: 20 },
      resolved_by: { kind: 'policy' },
    });
    expect((result.content[0] as { type: 'text'; text: string }).text).toContain('APPROVED by policy');
  }, 180_000);

  it('road 4, Python: the HitlClient snippet prints approved and runs the refund on the verified outcome', async () => {
    const { lang, code } = snippet(readme, 'python-client');
    expect(lang).toBe('python');
    const file = join(dir, 'agent.py');
    writeFileSync(file, substitute(code, [gatewayUrl(), keysFolder()]));
    const env = { ...process.env, TOKEN: token, PYTHONPATH: resolve(root, 'clients/python/src'), PYTHONDONTWRITEBYTECODE: '1' };
    const result = await run('python3', [file], env, 90_000);
    const lines = linesOf('python-client', result);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('approved');
    // What guard ran the refund with: the parameters of the signed outcome.
    expect(lines[1]).toMatch(/^refunding \{.*'order_id': 'ORD-1'.*\}$/);
    expect(lines[1]).toContain("'amount_usd': 20");
  }, 120_000);
});
