// One benchmark's own world: a fresh database and topic prefix on the shared broker and
// PostgreSQL, the built services (apps/*/dist) started in it by @hitl/testing's launcher,
// and everything dropped at the end. Each service's peak RSS is read from /proc before it stops.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contractTopics, ensureTopics, kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { APPS, AppName, Launcher, SERVICES, ServiceName, ServiceProcess, WaitOptions, databaseUrl, eventually, query, testTrust } from '@hitl/testing';
import { Admin, Kafka, logLevel } from 'kafkajs';

export { ServiceProcess, type ServiceName };
export const root = resolve(__dirname, '../..');
export const PARTITIONS = 3;
/** The workspace every benchmark's decisions belong to (its reviewers and auditors exist). */
export const WORKSPACE = 'acme-support';

/** The newest modification time of the files under `dir` ending in `ext` (specs left out), 0 if none. */
function newestMtime(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, ext));
    else if (entry.name.endsWith(ext) && !entry.name.endsWith(`.spec${ext}`)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether the built services are there (`missing` stops a run) and whether a service or lib was changed since its build (`stale` warns). */
export function buildState(): { missing: string | null; stale: string | null } {
  const missing = SERVICES.map((name) => resolve(root, APPS[name].dist)).find((main) => !existsSync(main));
  if (missing) return { missing: `${missing} is missing: run npm run build first`, stale: null };
  const projects = [...SERVICES.map((name) => `apps/${name}`), ...readdirSync(resolve(root, 'libs')).map((lib) => `libs/${lib}`)];
  const stale = projects.find(
    (p) => existsSync(resolve(root, p, 'dist')) && newestMtime(resolve(root, p, 'src'), '.ts') > newestMtime(resolve(root, p, 'dist'), '.js'),
  );
  return { missing: null, stale: stale ? `${stale} changed since it was built: figures measure the last build (npm run build to refresh)` : null };
}

/** Throws when the services are not built; warns when the build is older than the sources. */
export function checkBuild(): void {
  const { missing, stale } = buildState();
  if (missing) throw new Error(missing);
  if (stale) console.warn(`warning: ${stale}`);
}

/**
 * The built entry point of a service: BENCH_APPS_DIR/<name>/dist/main.js when that exists
 * (a copy with a change under test, measured before it lands), else apps/<name>/dist/main.js.
 */
export function serviceMain(name: AppName): string {
  const candidate = process.env.BENCH_APPS_DIR ? resolve(process.env.BENCH_APPS_DIR, name, 'dist/main.js') : undefined;
  return candidate && existsSync(candidate) ? candidate : resolve(root, APPS[name].dist);
}

/** Where a world lives when not on the shared broker with the services' partitions (the scale-out's cluster). */
export interface WorldOptions {
  /** Bootstrap brokers; default KAFKA_BROKERS or 127.0.0.1:9092. */
  brokers?: string[];
  /** Partitions of every topic of the run, and the services' KAFKA_PARTITIONS; default PARTITIONS. */
  partitions?: number;
  /** Replicas of every topic of the run (and the services' KAFKA_REPLICATION_FACTOR); default the broker's (bench topics: 1). */
  replicationFactor?: number;
}

export class BenchWorld {
  readonly id = randomBytes(4).toString('hex');
  readonly database = `hitl_bench_${this.id}`;
  readonly prefix = `bench-${this.id}.`;
  readonly brokers: string[];
  readonly partitions: number;
  readonly replicationFactor: number | undefined;
  readonly kafka: Kafka;
  readonly auditorToken = `bench-auditor-${randomBytes(16).toString('hex')}`;
  private readonly launcher: Launcher;
  /** Raw baselines (startScript). */
  private readonly scripts: ServiceProcess[] = [];

  constructor(options: WorldOptions = {}) {
    this.brokers = options.brokers ?? (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    this.partitions = options.partitions ?? PARTITIONS;
    this.replicationFactor = options.replicationFactor;
    // TLS and SASL from the services' variables (KAFKA_SSL*, KAFKA_SASL*), which the services inherit.
    this.kafka = new Kafka({
      clientId: `bench-${this.id}`,
      brokers: this.brokers,
      ...kafkaClientSecurity(loadKafkaSecurity(process.env)),
      logLevel: logLevel.NOTHING,
    });
    const replication: Record<string, string> = this.replicationFactor ? { KAFKA_REPLICATION_FACTOR: String(this.replicationFactor) } : {};
    this.launcher = new Launcher({
      entry: (name) => serviceMain(name),
      // BENCH_PROFILE=1: each service writes a CPU profile into tmp/bench-profiles when it stops.
      // BENCH_NODE_ARGS: more Node flags for every service (e.g. another heap budget, --trace-gc).
      nodeArgs: [
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(root, 'tmp/bench-profiles')}`] : []),
        ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
      ],
      // BENCH_LOG_DIR: each service's output also goes to <dir>/<app>-<replica>.log.
      logDir: process.env.BENCH_LOG_DIR,
      settings: {
        databaseUrl: this.databaseUrl,
        brokers: this.brokers,
        topicPrefix: this.prefix,
        partitions: this.partitions,
        logLevel: 'warn',
        auditorTokens: { compliance: this.auditorToken },
      },
      // A build from BENCH_APPS_DIR resolves the workspace's packages from here.
      env: () => ({ NODE_PATH: resolve(root, 'node_modules'), ...replication }),
      // Throwaway keys of this run (a temp folder): the router's and escalation's own, and
      // the registry that trusts the bench agent (bench-refund-bot) whose proposals we send.
      trust: (name) => testTrust().env(name),
    });
  }

  get databaseUrl(): string {
    return databaseUrl({ database: this.database });
  }

  /** The name of a topic of this run on the broker. */
  topic(name: string): string {
    return `${this.prefix}${name}`;
  }

  async setUp(): Promise<void> {
    await query(`CREATE DATABASE "${this.database}"`, [], databaseUrl({ database: 'postgres' }));
  }

  /** Creates topics of this run with the services' partition count. */
  async createTopics(names: string[]): Promise<void> {
    await retry(`creating ${names.join(', ')}`, () =>
      this.withAdmin((admin) =>
        admin.createTopics({
          waitForLeaders: true,
          topics: names.map((n) => ({ topic: this.topic(n), numPartitions: this.partitions, replicationFactor: this.replicationFactor ?? 1 })),
        }),
      ),
    );
  }

  /** Creates the contract's topics and DLQs of this run, as the services would, before anything is written to them. */
  async createContractTopics(): Promise<void> {
    await retry('creating the contract topics', () =>
      ensureTopics(this.kafka, contractTopics({ topicPrefix: this.prefix }), this.partitions, this.replicationFactor),
    );
  }

  /** Messages on a topic of this run, summed over its partitions. */
  async messagesOn(name: string): Promise<number> {
    const offsets = await this.withAdmin((admin) => admin.fetchTopicOffsets(this.topic(name)));
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  }

  /** Starts a built service (or the agent gateway) in this world and waits until /healthz answers; again: one more replica. */
  async start(name: AppName, env: Record<string, string> = {}): Promise<ServiceProcess> {
    return this.launcher.start(name, { env });
  }

  /** Runs a TypeScript file of bench/ as its own process (a raw baseline) and waits until it prints `ready`. */
  async startScript(name: string, file: string, env: Record<string, string>): Promise<ServiceProcess> {
    const script = ServiceProcess.spawn({
      label: name,
      cwd: root,
      args: ['-r', '@swc-node/register', resolve(root, file)],
      env: { ...process.env, KAFKA_BROKERS: this.brokers.join(','), ...env },
    });
    this.scripts.push(script);
    await eventually(`${name} to be ready`, () => script.output.includes('ready'), { timeoutMs: 60_000, everyMs: 250, ...watching([script]) });
    return script;
  }

  /** Stops the services, drops the database and deletes this run's topics (best effort: it runs after failures too). */
  async tearDown(): Promise<void> {
    await Promise.all([this.launcher.stop(), ...this.scripts.map((s) => s.stop())]);
    await query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`, [], databaseUrl({ database: 'postgres' })).catch(() => undefined);
    await this.withAdmin(async (admin) => {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    }).catch(() => undefined);
  }

  private async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * Runs `attempt` up to five times, a second apart: the shared broker sometimes answers a
 * topic's creation with "does not host this topic-partition" while its metadata settles.
 */
export async function retry<T>(what: string, attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts) throw new Error(`${what} failed ${attempts} times: ${(error as Error).message}`);
      await sleep(1000);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** For `eventually`: give up as soon as one of `services` exits, and show their output when the wait fails. */
export function watching(services: readonly ServiceProcess[]): Pick<WaitOptions, 'abortIf' | 'detail'> {
  return {
    abortIf: () => {
      const dead = services.find((s) => s.exited);
      return dead && `${dead.label} exited`;
    },
    detail: () => services.map((s) => `--- ${s.label}:\n${s.output}`).join('\n'),
  };
}
