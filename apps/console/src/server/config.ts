import { httpConfig, logConfig } from '@hitl/service-kit';
import { z } from 'zod';

const upstream = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:3002' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default(fallback);

/** The console server's settings: where it listens, the services it fronts, and the built web app. */
export const consoleConfig = z.object({
  ...httpConfig({ port: 3005 }).shape,
  ...logConfig.shape,
  ESCALATION_URL: upstream('http://127.0.0.1:3002'),
  AUDIT_URL: upstream('http://127.0.0.1:3003'),
  CALIBRATOR_URL: upstream('http://127.0.0.1:3004'),
  /**
   * How long a service may stay silent on a request passed through before the browser gets a
   * 504 naming it. Silent, not slow: every byte restarts it, so a live stream (a heartbeat
   * every 15 s) and a long export stay open.
   */
  CONSOLE_UPSTREAM_IDLE_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number of seconds from 1 to 3600' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 3600, { error: 'must be a whole number of seconds from 1 to 3600' })
    .default(60),
  /** The web app built by Vite (index.html and its assets). Relative paths are from the working directory. */
  CONSOLE_WEB_ROOT: z.string().min(1).default('apps/console/dist/web'),
});

export type ConsoleConfig = z.output<typeof consoleConfig>;

/** The APIs the console reaches through its server, by the path prefix the browser uses. */
export function upstreams(config: ConsoleConfig): { name: 'escalation' | 'audit' | 'calibrator'; mount: string; target: string }[] {
  return [
    { name: 'escalation', mount: '/api/escalation', target: config.ESCALATION_URL },
    { name: 'audit', mount: '/api/audit', target: config.AUDIT_URL },
    { name: 'calibrator', mount: '/api/calibrator', target: config.CALIBRATOR_URL },
  ];
}
