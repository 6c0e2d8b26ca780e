import { Command } from 'commander';
import { z } from 'zod';
import { CliFailure, ExitCode } from './cli-context';
import { parseServiceUrl } from './service-client';

// What the commands over the escalation service's controls (pauses, probations) share.

export const ESCALATION_URL = 'http://127.0.0.1:3002';
const DEFAULT_TOKEN_ENV = 'REVIEWER_TOKEN';

export interface EscalationConnection {
  url: URL;
  token?: string;
  tokenEnv: string;
}

/** `--url`, `--token`, `--token-env` (default REVIEWER_TOKEN); `who` says whose token, e.g. "an admin reviewer’s". */
export function escalationOptions(command: Command, who: string): Command {
  return command
    .option('--url <url>', 'the escalation service', parseServiceUrl, new URL(ESCALATION_URL))
    .option('--token <token>', `${who} token (prefer --token-env: a command line is visible to other users)`)
    .option('--token-env <name>', `the environment variable holding the ${who.replace(/^an? /, '')} token`, DEFAULT_TOKEN_ENV);
}

/** A required free-text option: not blank. */
export function requiredText(value: string | undefined, what: string): string {
  const text = value?.trim() ?? '';
  if (!text) throw new CliFailure(ExitCode.usage, `${what} must not be empty`);
  return text;
}

/** The answer as `schema` reads it, or a usage failure saying the service did not answer as the escalation service does. */
export function answerAs<T>(schema: z.ZodType<T>, body: unknown, base: URL, what: string): T {
  const answer = schema.safeParse(body);
  if (!answer.success) throw new CliFailure(ExitCode.usage, `${base.origin} did not answer as the escalation service does (${what})`);
  return answer.data;
}
