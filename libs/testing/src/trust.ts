// Throwaway keys for a test run: the signing keys of the router, the escalation service, the gateway and the audit,
// agents and a labeler in an agent registry, all in a temp folder; and `signed(event)`,
// which signs an event as its rightful producer would (the wire contract's table).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AnyEvent,
  Jwks,
  Keyring,
  SignatureAttributes,
  SigningKey,
  SigningService,
  generateSigningKey,
  parseJwks,
  parseSigningKey,
  signEvent,
} from '@hitl/contracts';

/** Agents of the test registry; each may act in every workspace unless listed in LIMITED_AGENTS. */
export const TEST_AGENTS = ['refund-bot', 'other-bot', 'bench-refund-bot', 'shell-bot', 'demo-bot'] as const;
/** An agent that may act in `acme-support` only. */
export const LIMITED_AGENT = 'acme-only-bot';
export const TEST_LABELER = 'crm-sync';
/** A workspace of the test registry that admits unsigned agents (a sandbox). */
export const UNSIGNED_WORKSPACE = 'sandbox';
/**
 * Agents of the test registry that use the agent gateway only (no key of their own), each with
 * its gateway token (the registry keeps the token's SHA-256): two in acme-support.
 */
export const GATEWAY_AGENTS = {
  'lambda-bot': { token: 'gateway-token-lambda-bot-0123456789', workspaces: ['acme-support'] },
  'desk-bot': { token: 'gateway-token-desk-bot-0123456789', workspaces: ['acme-support'] },
} as const;

export interface TestTrust {
  dir: string;
  agentsPath: string;
  /** `SERVICE_KEYS` for the services: both services' JWKS files. */
  serviceKeys: string;
  keyFile(service: SigningService): string;
  /** The private key of a service, an agent or the labeler, by name. */
  key(name: string): SigningKey;
  /** The trust variables of a service (`SIGNING_KEY_FILE` for those that sign). */
  env(service?: string): Record<string, string>;
  /** The keyring the services build from these files. */
  keyring: Keyring;
}

let made: TestTrust | undefined;

/** The folder of the run's test keys; child processes (services, crashing consumers) inherit it. */
const TRUST_DIR_VARIABLE = 'HITL_TEST_TRUST_DIR';

/** This process's test keys and registry: made once in a temp folder, or the parent process's. */
export function testTrust(): TestTrust {
  if (made) return made;
  const inherited = process.env[TRUST_DIR_VARIABLE];
  const reuse = inherited !== undefined && existsSync(join(inherited, 'agents.yaml'));
  const dir = reuse ? inherited : mkdtempSync(join(tmpdir(), 'hitl-trust-'));
  process.env[TRUST_DIR_VARIABLE] = dir;
  const keys = new Map<string, SigningKey>();
  const keysets = new Map<string, Jwks>();
  const names = ['router', 'escalation', 'gateway', 'audit', ...TEST_AGENTS, LIMITED_AGENT, TEST_LABELER];
  for (const name of names) {
    // A folder a parent made before the audit signed has no audit key yet: made here too.
    if (!reuse || !existsSync(join(dir, `${name}.key.pem`))) {
      const generated = generateSigningKey();
      writeFileSync(join(dir, `${name}.key.pem`), generated.pem, { mode: 0o600 });
      writeFileSync(join(dir, `${name}.jwks.json`), JSON.stringify({ keys: [generated.jwk] }, null, 2));
    }
    keys.set(name, parseSigningKey(readFileSync(join(dir, `${name}.key.pem`), 'utf8')));
    keysets.set(name, parseJwks(JSON.parse(readFileSync(join(dir, `${name}.jwks.json`), 'utf8'))));
  }
  const agentsPath = join(dir, 'agents.yaml');
  const agent = (id: string, workspaces: string) => `  - id: ${id}\n    workspaces: ${workspaces}\n    keys_file: ${id}.jwks.json\n`;
  if (!reuse)
    writeFileSync(
      agentsPath,
      [
        'agents:\n',
        ...TEST_AGENTS.map((id) => agent(id, '["*"]')),
        agent(LIMITED_AGENT, '[acme-support]'),
        ...Object.entries(GATEWAY_AGENTS).map(
          ([id, a]) =>
            `  - id: ${id}\n    workspaces: [${a.workspaces.join(', ')}]\n    gateway_token_sha256: ${createHash('sha256').update(a.token).digest('hex')}\n`,
        ),
        'labelers:\n',
        agent(TEST_LABELER, '["*"]'),
        `workspaces:\n  ${UNSIGNED_WORKSPACE}:\n    admit_unsigned_agents: true\n`,
      ].join(''),
    );
  const serviceKeys = `router=${join(dir, 'router.jwks.json')},escalation=${join(dir, 'escalation.jwks.json')},gateway=${join(dir, 'gateway.jwks.json')},audit=${join(dir, 'audit.jwks.json')}`;
  const keyFile = (service: SigningService) => join(dir, `${service}.key.pem`);
  const set = (name: string): Jwks => keysets.get(name) ?? { keys: [] };
  const keyring = new Keyring({
    services: { router: set('router'), escalation: set('escalation'), gateway: set('gateway'), audit: set('audit') },
    agents: [
      ...TEST_AGENTS.map((id) => ({ id, workspaces: '*' as const, keys: set(id) })),
      { id: LIMITED_AGENT, workspaces: ['acme-support'], keys: set(LIMITED_AGENT) },
      ...Object.entries(GATEWAY_AGENTS).map(([id, a]) => ({ id, workspaces: a.workspaces, keys: { keys: [] }, gateway: true })),
    ],
    labelers: [{ id: TEST_LABELER, workspaces: '*', keys: set(TEST_LABELER) }],
    unsignedWorkspaces: [UNSIGNED_WORKSPACE],
  });
  made = {
    dir,
    keyring,
    agentsPath,
    serviceKeys,
    keyFile,
    key(name) {
      const key = keys.get(name);
      if (!key) throw new Error(`the test registry has no key for "${name}"`);
      return key;
    },
    env(service) {
      const env: Record<string, string> = { SERVICE_KEYS: serviceKeys, AGENTS_PATH: agentsPath };
      if (service === 'router' || service === 'escalation' || service === 'gateway' || service === 'audit') env.SIGNING_KEY_FILE = keyFile(service);
      return env;
    },
  };
  return made;
}

/** Who signs an event by the contract: its agent, the router, or the escalation service. */
export function rightfulSigner(event: AnyEvent): string {
  switch (event.type) {
    case 'hitl.decision.proposed.v1':
      return event.data.agent.id;
    case 'hitl.approval.requested.v1':
      return 'router';
    case 'hitl.approval.resolved.v1':
      return event.data.resolved_by.kind === 'policy' ? 'router' : 'escalation';
    case 'hitl.approval.clarification_provided.v1':
    case 'hitl.action.executed.v1':
    case 'hitl.outcome.labeled.v1':
      return 'refund-bot';
    case 'hitl.handoff.requested.v1':
      return event.data.agent_id;
    default:
      return 'escalation';
  }
}

/** The event signed with the test key of its rightful producer (or of `as`). */
export function signed<E extends AnyEvent>(event: E, as?: string): E & SignatureAttributes {
  return signEvent(event, testTrust().key(as ?? rightfulSigner(event)));
}
