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
  })
  .refine((entry) => (entry.keys === undefined) !== (entry.keys_file === undefined), {
    error: 'give exactly one of keys (a list of JWKs) or keys_file (a JWKS file)',
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

/** Parses the registry; throws AgentsFileError naming each bad entry and field. */
export function parseAgentsFile(text: string, path: string, read: ReadRelative): Required<Pick<KeyringInput, 'agents' | 'labelers' | 'unsignedWorkspaces'>> {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new AgentsFileError(path, [{ field: '(file)', message: `not valid YAML: ${document.errors[0].message}` }]);
  const parsed = RegistryDocument.safeParse(document.toJS() ?? {});
  if (!parsed.success) throw new AgentsFileError(path, fieldIssues(parsed.error));
  const issues: FieldIssue[] = [];
  const resolve = (list: 'agents' | 'labelers') =>
    parsed.data[list].flatMap((entry, index) => {
      const field = `${list}[${index}] (${entry.id})`;
      try {
        const keys: Jwks = entry.keys_file !== undefined ? parseJwks(JSON.parse(read(entry.keys_file))) : parseJwks({ keys: entry.keys });
        if (keys.keys.length === 0) throw new TypeError('lists no key');
        const workspaces: Workspaces = entry.workspaces[0] === EVERY_WORKSPACE ? '*' : entry.workspaces;
        return [{ id: entry.id, workspaces, keys }];
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
