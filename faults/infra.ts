// The fault runs' own infrastructure, never the shared one: a native Kafka broker on other
// ports (scripts/infra.sh with its own state dir) and a throwaway PostgreSQL cluster
// (initdb into a temp dir, run as the postgres OS user, trust auth), both killable.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, query } from '@hitl/testing';

export const root = resolve(__dirname, '..');
const PG_BIN = '/usr/lib/postgresql/15/bin';

export class OwnBroker {
  readonly stateDir = resolve(root, '.infra/kafka-faults');
  constructor(
    readonly port: number,
    private readonly controllerPort: number,
    private readonly postgresPort: number,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  private infra(command: 'up' | 'down' | 'reset'): void {
    execFileSync('bash', [resolve(root, 'scripts/infra.sh'), command], {
      cwd: root,
      stdio: 'pipe',
      env: {
        ...process.env,
        HITL_INFRA_MODE: 'native',
        HITL_KAFKA_STATE_DIR: this.stateDir,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        // infra.sh checks (and creates the database on) PostgreSQL too: point it at ours.
        POSTGRES_PORT: String(this.postgresPort),
        KAFKA_BROKERS: this.brokers.join(','),
      },
    });
  }

  /** A clean broker with the contract's topics. */
  startClean(): void {
    this.infra('reset');
    this.infra('up');
  }

  /** Starts it again on its data (after a kill). */
  start(): void {
    this.infra('up');
  }

  stop(): void {
    this.infra('down');
  }

  pid(): number {
    return Number(readFileSync(join(this.stateDir, 'kafka.pid'), 'utf8').trim());
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid(), signal);
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const pid = this.pid();
    process.kill(pid, 'SIGKILL');
    await eventually('the killed broker to exit', () => !alive(pid), { timeoutMs: 30_000, everyMs: 250 });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A PostgreSQL 15 cluster of our own in a temp dir: trust auth, on `port`, removed at the end. */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'hitl-faults-pg-'));
  private readonly data = join(this.dir, 'data');
  constructor(readonly port: number) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/hitl`;
  }

  private asPostgres(binary: string, args: string[]): void {
    const run = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { stdio: 'pipe', encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed: ${run.stderr || run.stdout}`);
  }

  async init(): Promise<void> {
    const pg = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const group = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(this.dir, pg, group);
    this.asPostgres('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await this.start();
    await query('CREATE DATABASE hitl', [], `postgres://postgres@127.0.0.1:${this.port}/postgres`);
  }

  async start(): Promise<void> {
    // Right after a kill -9 the old shared memory may still be held: retry until it starts.
    await eventually(
      'our PostgreSQL to start',
      () => {
        try {
          this.asPostgres('pg_ctl', [
            '-D',
            this.data,
            '-l',
            join(this.dir, 'postgres.log'),
            '-w',
            '-t',
            '30',
            '-o',
            `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
            'start',
          ]);
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, everyMs: 1_000 },
    );
  }

  postmasterPid(): number {
    return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** kill -9 of the postmaster; its backends notice and exit. */
  async kill9(): Promise<void> {
    const pid = this.postmasterPid();
    process.kill(pid, 'SIGKILL');
    await eventually('the killed postmaster to exit', () => !alive(pid), { timeoutMs: 30_000, everyMs: 250 });
  }

  /** A clean stop (pg_ctl stop -m fast: sessions are ended, nothing is lost), waiting until it is down. */
  stopFast(): void {
    this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async count(sql: string): Promise<number> {
    return Number((await query<{ n: string }>(sql, [], this.url))[0].n);
  }

  /** Stops the cluster and removes its directory. */
  remove(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) {
      try {
        this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already down.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
