import { z } from 'zod';

/** PUT /v1/callback: where the agent's outcomes go. http(s) only; the secret is made by the gateway and shown once. */
export const CallbackBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2_000, { error: 'must be at most 2000 characters' }),
});
export type CallbackBody = z.infer<typeof CallbackBody>;

export interface CallbackView {
  url: string;
  set_at: string;
  /** The signing secret (whsec_...): in the answer to PUT only, never again. */
  secret?: string;
}
