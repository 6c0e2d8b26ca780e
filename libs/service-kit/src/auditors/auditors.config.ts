import { collectTokenVariables } from '../auth/bearer-token';
import { z } from 'zod';

/**
 * Variables holding auditors' tokens in clear start with this. The auditors file names
 * one per auditor (`token_env: AUDITOR_TOKEN_INES`); the config gathers them as
 * AUDITOR_TOKENS, so nothing but main.ts reads process.env.
 */
export const AUDITOR_TOKEN_PREFIX = 'AUDITOR_TOKEN_';

export const auditorsConfig = z.object({
  /** The auditors file, loaded at start. Relative paths are from the working directory. */
  AUDITORS_PATH: z.string().min(1).default('config/auditors.yaml'),
  /** Every AUDITOR_TOKEN_* variable by name (gathered by `collectAuditorTokens`, not a variable itself). */
  AUDITOR_TOKENS: z.record(z.string(), z.string()).default({}),
});

export type AuditorsConfig = z.output<typeof auditorsConfig>;

export const collectAuditorTokens = collectTokenVariables(AUDITOR_TOKEN_PREFIX, 'AUDITOR_TOKENS');
