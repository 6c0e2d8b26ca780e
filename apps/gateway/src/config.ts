import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

/**
 * The gateway reads the agent registry (AGENTS_PATH: which agents use it, by their token's
 * SHA-256) and signs the proposals of those agents with its own key (SIGNING_KEY_FILE).
 */
const settings = serviceConfig({ clientId: 'hitl-gateway', port: 3006 }).extend({
  /** The longest a GET /v1/decisions/{id}?wait= holds the request open, in seconds. */
  GATEWAY_MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  /** How often a waiting request looks for the outcome, in ms. */
  GATEWAY_WAIT_POLL_MS: z.coerce.number().int().min(10).max(5_000).default(200),
  /** How often the callback dispatcher looks for outcomes to post, in ms. */
  GATEWAY_CALLBACK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
});

export const gatewayConfig = settings;
export type GatewayConfig = z.output<typeof gatewayConfig>;
