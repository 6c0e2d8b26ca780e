// The auditors file (AUDITORS_PATH): who may read the record, loaded at start. Pure: text
// and the token variables in, auditors (with token hashes) out, or every problem at once.
import { z } from 'zod';
import { TokenFileError, parseTokenFile, tokenFields } from '../auth/token-file';
import { FieldIssue } from '../http/zod.pipe';
import { Auditor, EVERY_WORKSPACE } from './auditor';
import { AUDITOR_TOKEN_PREFIX } from './auditors.config';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
const distinct = (list: string[]) => new Set(list).size === list.length;

const AuditorEntry = z
  .strictObject({
    id: z
      .string()
      .max(100, { error: 'must be at most 100 characters' })
      .regex(NAME, { error: 'must be letters, digits and _ . : @ -, starting with a letter or digit' }),
    name: z.string().trim().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
    workspaces: z
      .array(
        z.string().refine((w) => w === EVERY_WORKSPACE || NAME.test(w), { error: 'must be a workspace id or "*" (every workspace)' }),
        {
          error: 'must be a list of workspaces, or ["*"] for every workspace',
        },
      )
      .min(1, { error: 'must list at least one workspace, or "*" for every workspace' })
      .refine(distinct, { error: 'lists a workspace twice' })
      .refine((list) => !list.includes(EVERY_WORKSPACE) || list.length === 1, { error: '"*" already means every workspace: list nothing else with it' }),
    ...tokenFields(AUDITOR_TOKEN_PREFIX),
  })
  .superRefine((entry, ctx) => {
    if (entry.token_hash !== undefined && entry.token_env !== undefined)
      ctx.addIssue({ code: 'custom', path: ['token_env'], message: 'gives both token_hash and token_env; give one' });
    if (entry.token_hash === undefined && entry.token_env === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token_env'],
        message: `is missing: give token_env (a variable ${AUDITOR_TOKEN_PREFIX}<NAME>) or token_hash (sha256:<hex>)`,
      });
    }
  });

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

export class AuditorsFileError extends TokenFileError {
  constructor(issues: readonly FieldIssue[]) {
    super('auditors file', issues);
    this.name = 'AuditorsFileError';
  }
}

/**
 * Parses and validates the auditors file. `tokens` holds the AUDITOR_TOKEN_* variables
 * (from the config). Throws an AuditorsFileError naming each bad auditor by index and id,
 * and the field.
 */
export function parseAuditorsFile(text: string, tokens: Readonly<Record<string, string>>): AuditorsFile {
  const file = parseTokenFile(text, { list: 'auditors', entry: AuditorEntry, tokens, invalid: (issues) => new AuditorsFileError(issues) });
  return {
    auditors: file.entries.flatMap(({ entry, tokenHash }) => (tokenHash === null ? [] : [{ ...entry, tokenHash }])),
    unsetTokenVariables: file.unsetTokenVariables,
  };
}
