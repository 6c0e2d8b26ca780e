// The auditors file (AUDITORS_PATH), in the format the audit service defines: id, name,
// workspaces ("*" for all) and one token source. Pure: text and the token variables in,
// auditors with token hashes out, or every problem at once.
import { FILE_TOKEN_HASH, MIN_TOKEN_LENGTH, hashToken } from '@hitl/service-kit';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { FieldIssue, fieldIssues } from '../http/zod.pipe';
import { Auditor, EVERY_WORKSPACE } from './auditor';
import { AUDITOR_TOKEN_PREFIX } from './auditors.config';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
const TOKEN_VARIABLE = new RegExp(`^${AUDITOR_TOKEN_PREFIX}[A-Z0-9_]+$`);

const Entry = z
  .strictObject({
    id: z.string().max(100, { error: 'must be at most 100 characters' }).regex(NAME, { error: 'must be letters, digits and _ . : @ -, starting with a letter or digit' }),
    name: z.string().trim().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
    workspaces: z
      .array(z.string().refine((w) => w === EVERY_WORKSPACE || NAME.test(w), { error: 'must be a workspace id or "*" (every workspace)' }))
      .min(1, { error: 'must list at least one workspace, or "*" for every workspace' })
      .refine((list) => new Set(list).size === list.length, { error: 'lists a workspace twice' })
      .refine((list) => !list.includes(EVERY_WORKSPACE) || list.length === 1, { error: '"*" already means every workspace: list nothing else with it' }),
    token_hash: z.string().regex(FILE_TOKEN_HASH, { error: 'must be "sha256:" and 64 lowercase hex digits' }).optional(),
    token_env: z.string().regex(TOKEN_VARIABLE, { error: `must name a variable ${AUDITOR_TOKEN_PREFIX}<NAME> (upper-case letters, digits and _)` }).optional(),
  })
  .refine((e) => (e.token_hash === undefined) !== (e.token_env === undefined), {
    path: ['token_env'],
    error: `give exactly one of token_env (a variable ${AUDITOR_TOKEN_PREFIX}<NAME>) and token_hash (sha256:<hex>)`,
  });

const Document = z.strictObject({ auditors: z.array(z.unknown(), { error: 'must be a list of auditors' }) }, { error: 'must be a mapping with an auditors list' });

export interface AuditorsFile {
  /** Those who can sign in, by the SHA-256 hex of their token. */
  byTokenHash: Map<string, Auditor>;
  /** Auditors whose `token_env` variable is not set: listed, but unable to sign in. */
  unsetTokenVariables: { id: string; variable: string }[];
}

export class AuditorsFileError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid auditors file:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'AuditorsFileError';
  }
}

/** Throws an AuditorsFileError naming each bad auditor (index and id) and field. */
export function parseAuditorsFile(text: string, tokens: Readonly<Record<string, string>>): AuditorsFile {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new AuditorsFileError(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  const outline = Document.safeParse(doc.toJS());
  if (!outline.success) throw new AuditorsFileError(fieldIssues(outline.error));

  const issues: FieldIssue[] = [];
  const byTokenHash = new Map<string, Auditor>();
  const unsetTokenVariables: AuditorsFile['unsetTokenVariables'] = [];
  const seenIds = new Set<string>();
  outline.data.auditors.forEach((raw, index) => {
    const rawId = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : null;
    const named = `auditors[${index}]${rawId === null ? '' : ` (${rawId})`}`;
    const entry = Entry.safeParse(raw);
    if (!entry.success) {
      issues.push(...fieldIssues(entry.error).map((i) => ({ field: i.field === '(root)' ? named : `${named}.${i.field}`, message: i.message })));
      return;
    }
    const { id, name, workspaces, token_env, token_hash } = entry.data;
    if (seenIds.has(id)) issues.push({ field: `${named}.id`, message: 'is used by an earlier auditor' });
    seenIds.add(id);
    let hash = token_hash?.slice('sha256:'.length) ?? null;
    if (token_env !== undefined) {
      const token = tokens[token_env];
      if (token === undefined) unsetTokenVariables.push({ id, variable: token_env });
      else if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        issues.push({ field: `${named}.token_env`, message: `${token_env} must hold a token of at least ${MIN_TOKEN_LENGTH} characters without spaces` });
      } else hash = hashToken(token);
    }
    if (hash === null) return;
    const holder = byTokenHash.get(hash);
    if (holder) issues.push({ field: `${named}.${token_env !== undefined ? 'token_env' : 'token_hash'}`, message: `is the same token as ${holder.id}'s` });
    else byTokenHash.set(hash, { id, name, workspaces });
  });
  if (issues.length > 0) throw new AuditorsFileError(issues);
  return { byTokenHash, unsetTokenVariables };
}
