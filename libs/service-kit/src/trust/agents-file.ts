// The agent registry (AGENTS_PATH): who may propose, with which public keys, in which
// workspaces; labelers of outcomes; workspaces that admit unsigned agents. Pure: the text
// and a file reader in, the keyring's input out, or every problem at once.
import { Jwks, KeyringInput, Workspaces, parseJwks } from '@hitl/contracts';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { FieldIssue, fieldIssues } from '../http/zod.pipe';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
const EVERY_WORKSPACE = '*';

const WorkspaceList = z
  .array(
    z.string().refine((w) => w === EVERY_WORKSPACE || NAME.test(w), { error: 'must be a workspace id or "*" (every workspace)' }),
    {
      error: 'must be a list of workspaces, or ["*"] for every workspace',
    },
  )
  .min(1, { error: 'must list at least one workspace, or "*"' })
  .refine((list) => !list.includes(EVERY_WORKSPACE) || list.length === 1, { error: '"*" already means every workspace: list nothing else with it' });

const Signer = z
  .strictObject({
    id: z
      .string()
      .max(100, { error: 'must be at most 100 characters' })
      .regex(NAME, { error: 'must be letters, digits and _ . : @ -, starting with a letter or digit' }),
    workspaces: WorkspaceList,
    /** Public keys inline (JWKs), or a JWKS file relative to this file; several at once while a key rotates. */
    keys: z.array(z.unknown()).optional(),
    keys_file: z.string().min(1).optional(),
    /**
     * Agents only: the SHA-256 (hex) of the bearer token it presents to the agent gateway, which
     * then proposes for it, signed with the gateway's key. The token itself never belongs here.
     */
    gateway_token_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'must be the SHA-256 of the token, 64 lowercase hex digits (`printf %s "$TOKEN" | sha256sum`)' })
      .optional(),
  })
  .refine((entry) => !(entry.keys !== undefined && entry.keys_file !== undefined), {
    error: 'give exactly one of keys (a list of JWKs) or keys_file (a JWKS file)',
    path: ['keys'],
  })
  .refine((entry) => entry.keys !== undefined || entry.keys_file !== undefined || entry.gateway_token_sha256 !== undefined, {
    error: 'give keys (a list of JWKs) or keys_file (a JWKS file), or a gateway_token_sha256 for an agent that uses only the agent gateway',
    path: ['keys'],
  });

const RegistryDocument = z.strictObject(
  {
    agents: z.array(Signer, { error: 'must be a list of agents' }).default([]),
    labelers: z.array(Signer, { error: 'must be a list of labelers' }).default([]),
    workspaces: z.record(z.string(), z.strictObject({ admit_unsigned_agents: z.boolean().default(false) })).default({}),
  },
  { error: 'must be a mapping with agents, labelers and workspaces' },
);

export class AgentsFileError extends Error {
  constructor(
    readonly path: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`invalid agent registry ${path}:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'AgentsFileError';
  }
}

/** Reads a file named in the registry (keys_file), relative to the registry's folder. */
export type ReadRelative = (file: string) => string;

/** An agent of the registry; `gatewayTokenSha256` when it may use the agent gateway. */
export interface RegisteredAgent {
  id: string;
  workspaces: Workspaces;
  keys: Jwks;
  gateway?: boolean;
  gatewayTokenSha256?: string;
}

export type Registry = Required<Pick<KeyringInput, 'labelers' | 'unsignedWorkspaces'>> & { agents: RegisteredAgent[] };

/** Parses the registry; throws AgentsFileError naming each bad entry and field. */
export function parseAgentsFile(text: string, path: string, read: ReadRelative): Registry {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new AgentsFileError(path, [{ field: '(file)', message: `not valid YAML: ${document.errors[0].message}` }]);
  const parsed = RegistryDocument.safeParse(document.toJS() ?? {});
  if (!parsed.success) throw new AgentsFileError(path, fieldIssues(parsed.error));
  const issues: FieldIssue[] = [];
  const resolve = (list: 'agents' | 'labelers'): RegisteredAgent[] =>
    parsed.data[list].flatMap((entry, index) => {
      const field = `${list}[${index}] (${entry.id})`;
      try {
        const gatewayOnly = entry.keys === undefined && entry.keys_file === undefined;
        const keys: Jwks = gatewayOnly
          ? { keys: [] }
          : entry.keys_file !== undefined
            ? parseJwks(JSON.parse(read(entry.keys_file)))
            : parseJwks({ keys: entry.keys });
        if (!gatewayOnly && keys.keys.length === 0) throw new TypeError('lists no key');
        if (list === 'labelers' && entry.gateway_token_sha256 !== undefined) throw new TypeError('labelers do not use the agent gateway');
        const workspaces: Workspaces = entry.workspaces[0] === EVERY_WORKSPACE ? '*' : entry.workspaces;
        const gateway = entry.gateway_token_sha256 === undefined ? {} : { gateway: true, gatewayTokenSha256: entry.gateway_token_sha256 };
        return [{ id: entry.id, workspaces, keys, ...gateway }];
      } catch (error) {
        issues.push({ field: `${field}.${entry.keys_file !== undefined ? 'keys_file' : 'keys'}`, message: (error as Error).message });
        return [];
      }
    });
  const agents = resolve('agents');
  const labelers = resolve('labelers');
  for (const list of ['agents', 'labelers'] as const) {
    const ids = parsed.data[list].map((e) => e.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) issues.push({ field: list, message: `lists "${twice}" twice` });
  }
  if (issues.length > 0) throw new AgentsFileError(path, issues);
  const unsignedWorkspaces = Object.entries(parsed.data.workspaces)
    .filter(([, w]) => w.admit_unsigned_agents)
    .map(([name]) => name);
  return { agents, labelers, unsignedWorkspaces };
}
