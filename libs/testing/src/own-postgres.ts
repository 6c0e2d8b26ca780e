// A PostgreSQL cluster of a test's own: initdb into a temp dir, run as the postgres OS user
// on its own port, trust auth; stoppable and killable without touching the machine's server
// (which every other test shares). Used by the fault runs and by tests that stop PostgreSQL.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from './clients';
import { eventually } from './waits';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A PostgreSQL 15 cluster of our own in a temp dir: trust auth, on `port`, removed at the end. */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'hitl-own-pg-'));
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
