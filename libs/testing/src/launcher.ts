// The one launcher of hitl's apps as child processes, for everything that runs the system
// from outside: the end-to-end specs, the benchmarks, the fault runs and `npm start`. The
// list of apps and the variables they start with live here; each caller says only what
// differs (its database, topics, tokens, keys, ports, where logs go).
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './clients';
import { ServiceProcess } from './service-process';

/** The four services, in the README's order. */
export const SERVICES = ['router', 'escalation', 'audit', 'calibrator'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The services, the reviewer console in front of them, and the agent gateway (agents over HTTP). */
export type AppName = ServiceName | 'console' | 'gateway';

/** Each app's built entry point, its source, and the port the README gives it. */
export const APPS: Record<AppName, { dist: string; source: string; port: number }> = {
  router: { dist: 'apps/router/dist/main.js', source: 'apps/router/src/main.ts', port: 3001 },
  escalation: { dist: 'apps/escalation/dist/main.js', source: 'apps/escalation/src/main.ts', port: 3002 },
  audit: { dist: 'apps/audit/dist/main.js', source: 'apps/audit/src/main.ts', port: 3003 },
  calibrator: { dist: 'apps/calibrator/dist/main.js', source: 'apps/calibrator/src/main.ts', port: 3004 },
  console: { dist: 'apps/console/dist/server/main.js', source: 'apps/console/src/server/main.ts', port: 3005 },
  gateway: { dist: 'apps/gateway/dist/main.js', source: 'apps/gateway/src/main.ts', port: 3006 },
};

/** The workspace root (this file sits in libs/testing/src, or its build in libs/testing/dist). */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/** What a run gives every app, as the README's variables. Unset fields leave the variable to the environment. */
export interface ServiceSettings {
  databaseUrl?: string;
  brokers?: readonly string[];
  /** `''` clears a prefix inherited from the environment. */
  topicPrefix?: string;
  partitions?: number;
  manifestPath?: string;
  /** Runs that shorten approval timeouts to seconds lower the 60 s least share of a tier. */
  minTierShareSeconds?: number;
  reviewersPath?: string;
  logLevel?: string;
  slaScanIntervalMs?: number;
  /** Reviewer name (as in the reviewers file) to token: `REVIEWER_TOKEN_<NAME>`. */
  reviewerTokens?: Record<string, string>;
  /** Auditor name to token: `AUDITOR_TOKEN_<NAME>`. */
  auditorTokens?: Record<string, string>;
}

/** The variables `settings` stand for. */
export function serviceEnv(settings: ServiceSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set('DATABASE_URL', settings.databaseUrl);
  set('KAFKA_BROKERS', settings.brokers?.join(','));
  set('KAFKA_TOPIC_PREFIX', settings.topicPrefix);
  set('KAFKA_PARTITIONS', settings.partitions);
  set('MANIFEST_PATH', settings.manifestPath);
  set('MANIFEST_MIN_TIER_SHARE_SECONDS', settings.minTierShareSeconds);
  set('REVIEWERS_PATH', settings.reviewersPath);
  set('LOG_LEVEL', settings.logLevel);
  set('SLA_SCAN_INTERVAL_MS', settings.slaScanIntervalMs);
  for (const [name, token] of Object.entries(settings.reviewerTokens ?? {})) set(`REVIEWER_TOKEN_${name.toUpperCase()}`, token);
  for (const [name, token] of Object.entries(settings.auditorTokens ?? {})) set(`AUDITOR_TOKEN_${name.toUpperCase()}`, token);
  return env;
}

/**
 * The V8 heap every service runs with: here (tests, benchmarks, fault runs, `npm start`) and
 * in the image, whose NODE_OPTIONS holds the same flags. Left unbounded, V8 sizes its heap
 * from the machine's memory and collects late: under the benchmarks' load a service held
 * 380-430 MiB resident, over the Kubernetes limit. These keep each under 256 MiB, for about
 * a sixth of the audit's throughput in collections (docs/benchmarks.md, "The heap budget").
 */
export const SERVICE_HEAP_FLAGS: readonly string[] = ['--max-old-space-size=128', '--max-semi-space-size=8'];

/**
 * glibc's allocator settings every service runs with, here and in the image (its ENV). With
 * the defaults, the audit under figure 3 held 56 MiB in the main thread's malloc arena for
 * about 15 MiB of live buffers: glibc raises its mmap threshold after each large buffer is
 * freed, so later fetch responses came from the arena, and its freed pages stayed resident.
 * A threshold fixed at 1 MiB (those buffers mapped and unmapped) and two arenas took its peak
 * from 259 to 236-237 MiB; fixed at 128 KiB, the escalation's SLA timers fell behind
 * (docs/benchmarks.md, "What the audit's memory is").
 */
export const SERVICE_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '1048576',
};

export interface LauncherOptions {
  /** The trust variables of an app: `testTrust().env` in tests, the machine's keys for `npm start`. */
  trust: (name: AppName) => Record<string, string>;
  settings?: ServiceSettings;
  /** More variables per app, over the settings and the trust. */
  env?: (name: AppName) => Record<string, string>;
  /** `dist` (default): the built apps; `source`: through @swc-node/register, no build needed. */
  from?: 'dist' | 'source';
  /** Another entry point for an app (a build under test elsewhere); undefined keeps the usual one. */
  entry?: (name: AppName) => string | undefined;
  /** Node flags before the entry point (e.g. --cpu-prof), after SERVICE_HEAP_FLAGS: a heap flag here overrides the budget. */
  nodeArgs?: readonly string[];
  /** `free` (default): any free port; `readme`: the README's 3001-3005. */
  ports?: 'free' | 'readme';
  /** Each replica's output also goes to `<logDir>/<app>-<replica>.log`. */
  logDir?: string;
  onLine?: (name: AppName, line: string) => void;
  /** An app exited that nobody stopped: `label` is e.g. `router#0`, `how` its exit code or signal. */
  onUnexpectedExit?: (label: string, how: string) => void;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  root?: string;
}

/**
 * Starts apps as child processes and keeps track of them: several replicas of one app
 * (started twice), kill -9 and a restart on the same port, stop with SIGTERM then SIGKILL.
 */
export class Launcher {
  private readonly running: { name: AppName; process: ServiceProcess }[] = [];
  /** Where each app's first replica answers: a restart comes back on the same port. */
  private readonly home = new Map<AppName, number>();
  private readonly root: string;

  constructor(private readonly options: LauncherOptions) {
    this.root = options.root ?? WORKSPACE_ROOT;
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  }

  /** The entry point `name` runs from, checked to exist. */
  main(name: AppName): string {
    const main = this.options.entry?.(name) ?? resolve(this.root, this.options.from === 'source' ? APPS[name].source : APPS[name].dist);
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    return main;
  }

  /**
   * Starts one more replica of `name` and waits until its /healthz answers. The first
   * replica takes `port`, else the port it had before, else the README's or a free one;
   * further replicas take a free one.
   */
  async start(name: AppName, options: { port?: number; env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<ServiceProcess> {
    const main = this.main(name);
    const replica = this.replicas(name).length;
    const port =
      replica > 0 ? await freePort() : (options.port ?? this.home.get(name) ?? (this.options.ports === 'readme' ? APPS[name].port : await freePort()));
    if (replica === 0) this.home.set(name, port);
    const label = `${name}#${replica}`;
    const child = ServiceProcess.spawn({
      label,
      port,
      cwd: this.root,
      args: [...SERVICE_HEAP_FLAGS, ...(this.options.nodeArgs ?? []), ...(this.options.from === 'source' ? ['-r', '@swc-node/register'] : []), main],
      env: {
        // Under the caller's environment: a run may try other allocator settings.
        ...SERVICE_MALLOC_ENV,
        ...process.env,
        ...serviceEnv(this.options.settings ?? {}),
        HTTP_PORT: String(port),
        ...this.options.trust(name),
        ...this.options.env?.(name),
        ...options.env,
      },
      logFile: this.options.logDir ? resolve(this.options.logDir, `${name}-${replica}.log`) : undefined,
      onLine: this.options.onLine ? (line) => this.options.onLine?.(name, line) : undefined,
    });
    const entry = { name, process: child };
    this.running.push(entry);
    void child.ended.then((how) => {
      this.running.splice(this.running.indexOf(entry), 1);
      if (!child.exitExpected) this.options.onUnexpectedExit?.(label, how);
    });
    await child.waitHealthy(options.readyTimeoutMs ?? this.options.readyTimeoutMs ?? 120_000);
    return child;
  }

  /** Starts each of `names` at once; fails naming every one that did not become healthy. */
  async startAll(names: readonly AppName[] = SERVICES): Promise<ServiceProcess[]> {
    const results = await Promise.allSettled(names.map((name) => this.start(name)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new Error(`not healthy: ${failed.join('\n\n')}`);
    return results.map((r) => (r as PromiseFulfilledResult<ServiceProcess>).value);
  }

  /** The running replicas of `name`, oldest first. */
  replicas(name: AppName): ServiceProcess[] {
    return this.running.filter((r) => r.name === name).map((r) => r.process);
  }

  /** Where the first replica of `name` answers (and a restart will). */
  url(name: AppName): string {
    const port = this.home.get(name);
    if (port === undefined) throw new Error(`${name} was never started`);
    return `http://127.0.0.1:${port}`;
  }

  /** kill -9 of the first replica of `name`. */
  async kill9(name: AppName): Promise<void> {
    const [first] = this.replicas(name);
    if (!first) throw new Error(`${name} is not running`);
    await first.kill9();
  }

  /** Stops every replica of `name` after the first. */
  async stopExtras(name: AppName): Promise<void> {
    await Promise.all(
      this.replicas(name)
        .slice(1)
        .map((p) => p.stop(this.options.stopGraceMs)),
    );
  }

  /** Starts again, one by one, those of `names` with no replica running (as a supervisor would). */
  async restartDead(names: readonly AppName[] = SERVICES): Promise<void> {
    for (const name of names) if (this.replicas(name).length === 0) await this.start(name);
  }

  /** Stops everything it started, all at once. */
  async stop(): Promise<void> {
    await Promise.all(this.running.map((r) => r.process.stop(this.options.stopGraceMs)));
  }
}
