// A file of people who sign in with a bearer token (the reviewers file, the auditors file),
// loaded at start. Pure: the text and the token variables in, each entry with its token hash
// out, or every problem at once, each named by the entry's index and id and the field.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { FieldIssue, fieldIssues } from '../http/zod.pipe';
import { FILE_TOKEN_HASH, MIN_TOKEN_LENGTH, hashToken } from './bearer-token';

/** The two ways an entry gives its token: its hash, or a variable `<prefix><NAME>` holding it. */
export function tokenFields(prefix: string) {
  const variable = new RegExp(`^${prefix}[A-Z0-9_]+$`);
  return {
    /** The token's hash, for tokens handed out elsewhere: `sha256:<hex>`. */
    token_hash: z.string().regex(FILE_TOKEN_HASH, { error: 'must be "sha256:" and 64 lowercase hex digits' }).optional(),
    /** A variable holding the token in clear (hashed at load); only variables of the prefix reach the service. */
    token_env: z
      .string()
      .regex(variable, { error: `must name a variable ${prefix}<NAME> (upper-case letters, digits and _)` })
      .optional(),
  };
}

/** What every entry has: an id and, through tokenFields, its token. */
export interface TokenFileEntry {
  id: string;
  token_hash?: string;
  token_env?: string;
}

export interface TokenFile<E extends TokenFileEntry> {
  /** Every entry, in file order, without its token fields; `tokenHash` is null when none is known (no token, or its variable unset). */
  entries: { entry: Omit<E, 'token_hash' | 'token_env'>; tokenHash: string | null }[];
  /** Entries whose `token_env` variable is not set. */
  unsetTokenVariables: { id: string; variable: string }[];
}

/** A token file that cannot be loaded; the message lists every problem. */
export class TokenFileError extends Error {
  constructor(
    what: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`invalid ${what}:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
  }
}

export interface TokenFileOptions<E extends TokenFileEntry> {
  /** The file's one key, a list, which also names its entries in errors: `reviewers`, `auditors`. */
  list: string;
  /** One entry of the list, with tokenFields among its fields. */
  entry: z.ZodType<E>;
  /** The token variables (from the config, never from process.env). */
  tokens: Readonly<Record<string, string>>;
  /** The error thrown with every problem found. */
  invalid: (issues: FieldIssue[]) => TokenFileError;
}

/**
 * Parses and checks a token file: each entry against its schema, no id twice, no token twice,
 * and every token variable that is set holding a usable token. Never echoes a token.
 */
export function parseTokenFile<E extends TokenFileEntry>(text: string, { list, entry: Entry, tokens, invalid }: TokenFileOptions<E>): TokenFile<E> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw invalid(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  // The outline first; each entry is then checked on its own, so every bad entry is named at once.
  const outline = z
    .strictObject(
      { [list]: z.array(z.unknown(), { error: `must be a list of ${list}` }) },
      { error: `must be a mapping with ${/^[aeiou]/.test(list) ? 'an' : 'a'} ${list} list` },
    )
    .safeParse(doc.toJS());
  if (!outline.success) throw invalid(fieldIssues(outline.error));

  const issues: FieldIssue[] = [];
  const entries: TokenFile<E>['entries'] = [];
  const unsetTokenVariables: TokenFile<E>['unsetTokenVariables'] = [];
  const firstWithId = new Map<string, number>();
  const firstWithToken = new Map<string, string>();
  outline.data[list].forEach((raw, index) => {
    const rawId = idOf(raw);
    const named = `${list}[${index}]${rawId === null ? '' : ` (${rawId})`}`;
    // A second entry with one id is named even when the first is invalid.
    const twin = rawId === null ? undefined : firstWithId.get(rawId);
    if (twin !== undefined) issues.push({ field: `${named}.id`, message: `${rawId} is also ${list}[${twin}]` });
    else if (rawId !== null) firstWithId.set(rawId, index);
    const parsed = Entry.safeParse(raw);
    if (!parsed.success) {
      issues.push(...fieldIssues(parsed.error).map((i) => ({ field: i.field === '(root)' ? named : `${named}.${i.field}`, message: i.message })));
      return;
    }
    const { token_hash, token_env, ...entry } = parsed.data;
    let tokenHash = token_hash?.slice('sha256:'.length) ?? null;
    if (token_env !== undefined) {
      const token = tokens[token_env];
      if (token === undefined) unsetTokenVariables.push({ id: entry.id, variable: token_env });
      else if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        issues.push({ field: `${named}.token_env`, message: `${token_env} must hold a token of at least ${MIN_TOKEN_LENGTH} characters without spaces` });
      } else tokenHash = hashToken(token);
    }
    if (tokenHash !== null) {
      const holder = firstWithToken.get(tokenHash);
      if (holder !== undefined)
        issues.push({ field: `${named}.${token_env !== undefined ? 'token_env' : 'token_hash'}`, message: `is the same token as ${holder}'s` });
      else firstWithToken.set(tokenHash, named);
    }
    entries.push({ entry, tokenHash });
  });
  if (issues.length > 0) throw invalid(issues);
  return { entries, unsetTokenVariables };
}

/** An entry's id when it has a readable one, so an error names the entry even when it is invalid. */
function idOf(raw: unknown): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
