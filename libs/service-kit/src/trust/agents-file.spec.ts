import { generateSigningKey } from '@hitl/contracts';
import { AgentsFileError, parseAgentsFile } from './agents-file';

const refundBot = generateSigningKey().jwk;
const rotated = generateSigningKey().jwk;
const labeler = generateSigningKey().jwk;
const other = generateSigningKey().jwk;
const jwk = (key: object) => JSON.stringify(key);

/** The files next to the registry that keys_file may name. */
const FILES: Record<string, string> = {
  'crm-sync.jwks.json': JSON.stringify({ keys: [labeler] }),
  'not-json.jwks.json': 'keys: [',
};
const read = (file: string) => {
  if (!(file in FILES)) throw new Error(`ENOENT: no such file, open '${file}'`);
  return FILES[file];
};

const parse = (text: string) => parseAgentsFile(text, 'config/agents.yaml', read);

const problems = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof AgentsFileError) return error.message;
    throw error;
  }
  throw new Error('the registry was accepted');
};

describe('the agent registry', () => {
  it('gives agents and labelers with their keys, inline or from a file next to it, and the workspaces admitting unsigned agents', () => {
    const registry = parse(`agents:
  - id: refund-bot
    workspaces: ["*"]
    keys: [${jwk(refundBot)}, ${jwk(rotated)}]
  - { id: acme-only-bot, workspaces: [acme-support, acme-sales], keys: [${jwk(other)}] }
labelers:
  - { id: crm-sync, workspaces: [acme-support], keys_file: crm-sync.jwks.json }
workspaces:
  sandbox: { admit_unsigned_agents: true }
  acme-support: { admit_unsigned_agents: false }
  staging: {}
`);
    expect(registry).toEqual({
      agents: [
        { id: 'refund-bot', workspaces: '*', keys: { keys: [refundBot, rotated] } },
        { id: 'acme-only-bot', workspaces: ['acme-support', 'acme-sales'], keys: { keys: [other] } },
      ],
      labelers: [{ id: 'crm-sync', workspaces: ['acme-support'], keys: { keys: [labeler] } }],
      unsignedWorkspaces: ['sandbox'],
    });
  });

  it('takes an empty file as no agents, no labelers and no unsigned workspaces', () => {
    expect(parse('')).toEqual({ agents: [], labelers: [], unsignedWorkspaces: [] });
  });

  it.each([
    ['an unknown field', `agents:\n  - { id: a, workspaces: ["*"], keys: [${jwk(refundBot)}], colour: red }`, 'agents[0].colour: unknown field'],
    [
      'both keys and keys_file',
      `agents:\n  - { id: a, workspaces: ["*"], keys: [${jwk(refundBot)}], keys_file: crm-sync.jwks.json }`,
      'agents[0].keys: give exactly one of keys',
    ],
    ['neither keys nor keys_file', 'labelers:\n  - { id: l, workspaces: ["*"] }', 'labelers[0].keys: give keys (a list of JWKs) or keys_file'],
    [
      'a gateway token in clear',
      'agents:\n  - { id: a, workspaces: ["*"], gateway_token_sha256: my-secret-token }',
      'agents[0].gateway_token_sha256: must be the SHA-256 of the token',
    ],
    [
      'a labeler with a gateway token',
      `labelers:\n  - { id: l, workspaces: ["*"], gateway_token_sha256: "${'a'.repeat(64)}" }`,
      'labelers[0] (l).keys: labelers do not use the agent gateway',
    ],
    [
      'a JWK of another type',
      'agents:\n  - { id: a, workspaces: ["*"], keys: [{ kty: RSA, n: abc, e: AQAB }] }',
      'agents[0] (a).keys: not an Ed25519 JWKS: keys.0.kty',
    ],
    [
      'a JWK of the wrong length',
      'agents:\n  - { id: a, workspaces: ["*"], keys: [{ kty: OKP, crv: Ed25519, x: abc }] }',
      'agents[0] (a).keys: not an Ed25519 JWKS: keys.0.x: must be 43 base64url characters',
    ],
    ['no key at all', 'agents:\n  - { id: a, workspaces: ["*"], keys: [] }', 'agents[0] (a).keys: lists no key'],
    [
      'a keys_file that is missing',
      'agents:\n  - { id: a, workspaces: ["*"], keys_file: a.jwks.json }',
      "agents[0] (a).keys_file: ENOENT: no such file, open 'a.jwks.json'",
    ],
    ['a keys_file that is not JSON', 'agents:\n  - { id: a, workspaces: ["*"], keys_file: not-json.jwks.json }', 'agents[0] (a).keys_file:'],
    [
      'an id twice',
      `agents:\n  - { id: a, workspaces: ["*"], keys: [${jwk(refundBot)}] }\n  - { id: a, workspaces: [acme], keys: [${jwk(other)}] }`,
      'agents: lists "a" twice',
    ],
    [
      '"*" with other workspaces',
      `agents:\n  - { id: a, workspaces: ["*", acme-support], keys: [${jwk(refundBot)}] }`,
      'agents[0].workspaces: "*" already means every workspace',
    ],
    ['no workspace', `labelers:\n  - { id: l, workspaces: [], keys: [${jwk(labeler)}] }`, 'labelers[0].workspaces: must list at least one workspace'],
    [
      'a bad workspace name',
      `agents:\n  - { id: a, workspaces: ["acme support"], keys: [${jwk(refundBot)}] }`,
      'agents[0].workspaces[0]: must be a workspace id',
    ],
    ['a bad id', `agents:\n  - { id: "refund bot", workspaces: ["*"], keys: [${jwk(refundBot)}] }`, 'agents[0].id: must be letters, digits'],
    ['a workspace setting that is not a boolean', 'workspaces:\n  sandbox: { admit_unsigned_agents: "yes" }', 'workspaces.sandbox.admit_unsigned_agents:'],
    ['an unknown workspace setting', 'workspaces:\n  sandbox: { admit_unsigned: true }', 'workspaces.sandbox.admit_unsigned: unknown field'],
    ['not YAML', 'agents: [', '(file): not valid YAML'],
    ['another top-level field', 'agent: []', 'agent: unknown field'],
  ])('refuses %s, naming the entry and the field', (_name, text, problem) => {
    const message = problems(text);
    expect(message).toContain('invalid agent registry config/agents.yaml');
    expect(message).toContain(problem);
  });

  it('gives an agent that uses only the agent gateway no key, and the hash of its token', () => {
    const hash = 'b'.repeat(64);
    const registry = parseAgentsFile(
      `agents:\n  - { id: lambda-bot, workspaces: [acme-support], gateway_token_sha256: "${hash}" }`,
      'config/agents.yaml',
      () => '',
    );
    expect(registry.agents).toEqual([{ id: 'lambda-bot', workspaces: ['acme-support'], keys: { keys: [] }, gateway: true, gatewayTokenSha256: hash }]);
  });

  it('names every bad entry at once', () => {
    const message = problems(`agents:
  - { id: a, workspaces: ["*"], keys: [] }
  - { id: b, workspaces: ["*"], keys_file: b.jwks.json }
labelers:
  - { id: l, workspaces: ["*"], keys: [{ kty: OKP }] }`);
    expect(message).toContain('agents[0] (a).keys');
    expect(message).toContain('agents[1] (b).keys_file');
    expect(message).toContain('labelers[0] (l).keys');
  });
});
