// The four built services (apps/*/dist) as child processes on our broker and database, and
// the agent gateway when a fault needs it, any of them killable, restartable or started
// twice (@hitl/testing's launcher); each replica's output in .infra/faults-logs/<app>-<replica>.log.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppName, Launcher, SERVICES, ServiceName, testTrust } from '@hitl/testing';
import { root } from './infra';

export { SERVICES, type AppName, type ServiceName };

const token = (who: string) => `${who}-${randomBytes(18).toString('hex')}`;
export const REVIEWERS = ['alice', 'bruno', 'chen', 'dana', 'emil'].map((name) => ({ name, token: token(name) }));
export const AUDITOR_TOKEN = token('compliance');

/** What the refund agent of the load signs with and trusts: its key and the services' of this run. */
export function agentTrust(): { signingKey: string; trustedKeys: { router: string; escalation: string } } {
  const trust = testTrust();
  return {
    signingKey: resolve(trust.dir, 'refund-bot.key.pem'),
    trustedKeys: { router: resolve(trust.dir, 'router.jwks.json'), escalation: resolve(trust.dir, 'escalation.jwks.json') },
  };
}

const LOG_DIR = resolve(root, '.infra/faults-logs');

/** The launcher on this run's broker, database and manifest, with its reviewers' and auditor's tokens. */
export class Fleet extends Launcher {
  /** Exits nobody asked for ("router#0 exited (1)"), for the report. */
  readonly unexpectedExits: string[];

  constructor(env: { brokers: string[]; databaseUrl: string; manifestPath: string }) {
    const unexpectedExits: string[] = [];
    rmSync(LOG_DIR, { recursive: true, force: true });
    super({
      logDir: LOG_DIR,
      settings: {
        brokers: env.brokers,
        topicPrefix: '',
        databaseUrl: env.databaseUrl,
        manifestPath: env.manifestPath,
        // Reviews expire in 90 s here: each of two tiers gets 45 s, under the 60 s a manifest must give.
        minTierShareSeconds: 1,
        slaScanIntervalMs: 500,
        logLevel: 'warn',
        reviewerTokens: Object.fromEntries(REVIEWERS.map((r) => [r.name, r.token])),
        auditorTokens: { compliance: AUDITOR_TOKEN },
      },
      // Throwaway keys of this run (a temp folder): the router's, escalation's and gateway's
      // own, and the registry that trusts the refund agent the load comes from and lets
      // lambda-bot propose through the gateway with its token (GATEWAY_AGENTS).
      trust: (name) => testTrust().env(name),
      onUnexpectedExit: (label, how) => unexpectedExits.push(`${label} exited (${how})`),
    });
    this.unexpectedExits = unexpectedExits;
  }
}
