// The auditors file (AUDITORS_PATH): who may read the record, loaded at start. Pure: text
// and the token variables in, auditors (with token hashes) out, or every problem at once.
import { FILE_TOKEN_HASH, MIN_TOKEN_LENGTH, hashToken } from '../auth/bearer-token';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { FieldIssue, fieldIssues } from '../http/zod.pipe';
import { Auditor, EVERY_WORKSPACE } from './auditor';
import { AUDITOR_TOKEN_PREFIX } from './auditors.config';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
const TOKEN_VARIABLE = new RegExp(`^${AUDITOR_TOKEN_PREFIX}[A-Z0-9_]+$`);
const distinct = (list: string[]) => new Set(list).size === list.length;

const AuditorEntry = z
  .strictObject({
    id: z.string().max(100, { error: 'must be at most 100 characters' }).regex(NAME, { error: 'must be letters, digits and _ . : @ -, starting with a letter or digit' }),
    name: z.string().trim().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
    workspaces: z
      .array(z.string().refine((w) => w === EVERY_WORKSPACE || NAME.test(w), { error: 'must be a workspace id or "*" (every workspace)' }), {
        error: 'must be a list of workspaces, or ["*"] for every workspace',
      })
      .min(1, { error: 'must list at least one workspace, or "*" for every workspace' })
      .refine(distinct, { error: 'lists a workspace twice' })
      .refine((list) => !list.includes(EVERY_WORKSPACE) || list.length === 1, { error: '"*" already means every workspace: list nothing else with it' }),
    /** The token's hash, for tokens handed out elsewhere: `sha256:<hex>`. */
    token_hash: z.string().regex(FILE_TOKEN_HASH, { error: 'must be "sha256:" and 64 lowercase hex digits' }).optional(),
    /** A variable holding the token in clear (hashed at load); only AUDITOR_TOKEN_* variables reach the service. */
    token_env: z.string().regex(TOKEN_VARIABLE, { error: `must name a variable ${AUDITOR_TOKEN_PREFIX}<NAME> (upper-case letters, digits and _)` }).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.token_hash !== undefined && entry.token_env !== undefined) ctx.addIssue({ code: 'custom', path: ['token_env'], message: 'gives both token_hash and token_env; give one' });
    if (entry.token_hash === undefined && entry.token_env === undefined) {
      ctx.addIssue({ code: 'custom', path: ['token_env'], message: `is missing: give token_env (a variable ${AUDITOR_TOKEN_PREFIX}<NAME>) or token_hash (sha256:<hex>)` });
    }
  });

const AuditorsDocument = z.strictObject(
  { auditors: z.array(z.unknown(), { error: 'must be a list of auditors' }) },
  { error: 'must be a mapping with an auditors list' },
);

export interface AuditorSeed extends Auditor {
  /** SHA-256 hex of the auditor's token. */
  tokenHash: string;
}

export interface AuditorsFile {
  /** The auditors who can sign in. */
  auditors: AuditorSeed[];
  /** Auditors whose `token_env` variable is not set: listed, but unable to sign in. */
  unsetTokenVariables: { id: string; variable: string }[];
}

export class AuditorsFileError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid auditors file:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'AuditorsFileError';
  }
}

/**
 * Parses and validates the auditors file. `tokens` holds the AUDITOR_TOKEN_* variables
 * (from the config). Throws an AuditorsFileError naming each bad auditor by index and id,
 * and the field.
 */
export function parseAuditorsFile(text: string, tokens: Readonly<Record<string, string>>): AuditorsFile {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new AuditorsFileError(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  const outline = AuditorsDocument.safeParse(doc.toJS());
  if (!outline.success) throw new AuditorsFileError(fieldIssues(outline.error));

  const issues: FieldIssue[] = [];
  const auditors: AuditorSeed[] = [];
  const unsetTokenVariables: AuditorsFile['unsetTokenVariables'] = [];
  const ids = new Map<string, number>();
  const holders = new Map<string, string>();
  outline.data.auditors.forEach((raw, index) => {
    const rawId = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
    const named = `auditors[${index}]${rawId === null ? '' : ` (${rawId})`}`;
    if (rawId !== null && ids.has(rawId)) issues.push({ field: `${named}.id`, message: `${rawId} is also auditors[${ids.get(rawId)}]` });
    else if (rawId !== null) ids.set(rawId, index);
    const entry = AuditorEntry.safeParse(raw);
    if (!entry.success) {
      issues.push(...fieldIssues(entry.error).map((i) => ({ field: i.field === '(root)' ? named : `${named}.${i.field}`, message: i.message })));
      return;
    }
    const { id, name, workspaces, token_env, token_hash } = entry.data;
    let tokenHash = token_hash?.slice('sha256:'.length) ?? null;
    if (token_env !== undefined) {
      const token = tokens[token_env];
      if (token === undefined) unsetTokenVariables.push({ id, variable: token_env });
      else if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        issues.push({ field: `${named}.token_env`, message: `${token_env} must hold a token of at least ${MIN_TOKEN_LENGTH} characters without spaces` });
      } else tokenHash = hashToken(token);
    }
    if (tokenHash === null) return;
    const holder = holders.get(tokenHash);
    if (holder !== undefined) issues.push({ field: `${named}.${token_env !== undefined ? 'token_env' : 'token_hash'}`, message: `is the same token as ${holder}'s` });
    else holders.set(tokenHash, named);
    auditors.push({ id, name, workspaces, tokenHash });
  });
  if (issues.length > 0) throw new AuditorsFileError(issues);
  return { auditors, unsetTokenVariables };
}
