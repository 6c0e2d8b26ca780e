// The four built services (apps/*/dist) as child processes on our broker and database,
// any of them killable, restartable or started twice.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, testTrust } from '@hitl/testing';
import { root, until } from './infra';

export const SERVICES = ['router', 'escalation', 'audit', 'calibrator'] as const;
export type ServiceName = (typeof SERVICES)[number];

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

interface Replica {
  name: ServiceName;
  index: number;
  port: number;
  child: ChildProcess;
  /** Killed or stopped on purpose: its exit is no finding. */
  expectedExit: boolean;
}

export class Fleet {
  readonly logDir = resolve(root, '.infra/faults-logs');
  private readonly replicas: Replica[] = [];
  /** Where each service's first replica answers: a restart comes back on the same port. */
  private readonly home = new Map<ServiceName, number>();
  /** Exits nobody asked for ("router#0 exited (1)"), for the report. */
  readonly unexpectedExits: string[] = [];

  constructor(private readonly env: { brokers: string[]; databaseUrl: string; manifestPath: string }) {
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
  }

  url(name: ServiceName): string {
    const port = this.home.get(name);
    if (port === undefined) throw new Error(`${name} was never started`);
    return `http://127.0.0.1:${port}`;
  }

  /** Starts one more replica of `name` (the first keeps its port across restarts) and waits until it is healthy. */
  async start(name: ServiceName, port?: number): Promise<void> {
    const main = resolve(root, `apps/${name}/dist/main.js`);
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const index = this.replicas.filter((r) => r.name === name).length;
    const first = !this.replicas.some((r) => r.name === name);
    const httpPort = port ?? (first ? this.home.get(name) : undefined) ?? (await freePort());
    if (first) this.home.set(name, httpPort);
    const log = createWriteStream(resolve(this.logDir, `${name}-${index}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [main], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...Object.fromEntries(REVIEWERS.map((r) => [`REVIEWER_TOKEN_${r.name.toUpperCase()}`, r.token])),
        AUDITOR_TOKEN_COMPLIANCE: AUDITOR_TOKEN,
        KAFKA_BROKERS: this.env.brokers.join(','),
        KAFKA_TOPIC_PREFIX: '',
        DATABASE_URL: this.env.databaseUrl,
        HTTP_PORT: String(httpPort),
        MANIFEST_PATH: this.env.manifestPath,
        SLA_SCAN_INTERVAL_MS: '500',
        LOG_LEVEL: 'warn',
        // Throwaway keys of this run (a temp folder): the router's and escalation's own, and
        // the registry that trusts the refund agent the load comes from.
        ...testTrust().env(name),
      },
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const replica: Replica = { name, index, port: httpPort, child, expectedExit: false };
    child.once('exit', (code, signal) => {
      const i = this.replicas.indexOf(replica);
      if (i >= 0) this.replicas.splice(i, 1);
      if (!replica.expectedExit) this.unexpectedExits.push(`${name}#${index} exited (${signal ?? code})`);
    });
    this.replicas.push(replica);
    await until(`${name}#${index} to answer /healthz (log: .infra/faults-logs/${name}-${index}.log)`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name}#${index} exited while starting: see .infra/faults-logs/${name}-${index}.log`);
      return fetch(`http://127.0.0.1:${httpPort}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
    });
  }

  /** kill -9 of the first replica of `name`. */
  async kill9(name: ServiceName): Promise<void> {
    const replica = this.replicas.find((r) => r.name === name);
    if (!replica) throw new Error(`${name} is not running`);
    replica.expectedExit = true;
    const exited = new Promise((done) => replica.child.once('exit', done));
    replica.child.kill('SIGKILL');
    await exited;
  }

  /** Stops every replica of `name` after the first (SIGTERM). */
  async stopExtras(name: ServiceName): Promise<void> {
    const extras = this.replicas.filter((r) => r.name === name).slice(1);
    await Promise.all(extras.map((r) => this.terminate(r)));
  }

  /** Services that died on their own are started again, as a supervisor would (and the exit is reported). */
  async restartDead(): Promise<void> {
    for (const name of SERVICES) if (!this.replicas.some((r) => r.name === name)) await this.start(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.replicas].map((r) => this.terminate(r)));
  }

  private async terminate(replica: Replica): Promise<void> {
    if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
    replica.expectedExit = true;
    const exited = new Promise((done) => replica.child.once('exit', done));
    replica.child.kill('SIGTERM');
    const killer = setTimeout(() => replica.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}
