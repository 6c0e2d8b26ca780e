// A PostgreSQL cluster of a test's own: initdb into a temp dir, run as the postgres OS user
// on its own port, trust auth; stoppable and killable without touching the machine's server
// (which every other test shares). Used by the fault runs and by tests that stop PostgreSQL.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from './clients';
import { eventually } from './waits';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * How the cluster lets clients in over TCP. Default: trust, no TLS. `password`: the postgres
 * user's password, asked for (SCRAM). `tls`: TCP only over TLS, with a certificate for
 * 127.0.0.1 made for the run (`caFile` holds it; clients verify it as their CA).
 */
export interface OwnPostgresOptions {
  password?: string;
  tls?: boolean;
}

/** A PostgreSQL 15 cluster of our own in a temp dir, on `port`, removed at the end; its socket always trusts. */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'hitl-own-pg-'));
  private readonly data = join(this.dir, 'data');
  constructor(
    readonly port: number,
    private readonly options: OwnPostgresOptions = {},
  ) {}

  /** Over TCP, as postgres (with `options.password`, clients must add it). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/hitl`;
  }

  /** As postgres over the cluster's socket (trust), whatever TCP asks for: for the test's own set-up. */
  adminUrl(database = 'hitl'): string {
    return `postgresql://postgres@/${database}?host=${encodeURIComponent(this.dir)}&port=${this.port}`;
  }

  /** The certificate the server presents (self-signed, for 127.0.0.1), when `tls`. */
  get caFile(): string {
    return join(this.dir, 'server.crt');
  }

  private asPostgres(binary: string, args: string[]): void {
    const run = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { stdio: 'pipe', encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed: ${run.stderr || run.stdout}`);
  }

  async init(): Promise<void> {
    const pg = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const group = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(this.dir, pg, group);
    const { password, tls } = this.options;
    const auth = ['--auth-local=trust', `--auth-host=${password === undefined ? 'trust' : 'scram-sha-256'}`];
    if (password !== undefined) {
      const file = join(this.dir, 'password');
      writeFileSync(file, password, { mode: 0o600 });
      chownSync(file, pg, group);
      auth.push(`--pwfile=${file}`);
    }
    this.asPostgres('initdb', ['-D', this.data, '-U', 'postgres', ...auth, '--no-sync', '-E', 'UTF8']);
    if (tls) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(this.dir, 'server.key'),
          '-out',
          this.caFile,
        ],
        { stdio: 'pipe' },
      );
      for (const file of ['server.key', 'server.crt']) chownSync(join(this.dir, file), pg, group);
      chmodSync(join(this.dir, 'server.key'), 0o600);
      // TCP only over TLS: a client that does not ask for it is turned away.
      const method = password === undefined ? 'trust' : 'scram-sha-256';
      writeFileSync(join(this.data, 'pg_hba.conf'), `local all all trust\nhostssl all all 127.0.0.1/32 ${method}\nhostnossl all all all reject\n`);
    }
    await this.start();
    await query('CREATE DATABASE hitl', [], this.adminUrl('postgres'));
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
            `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200` +
              (this.options.tls ? ` -c ssl=on -c ssl_cert_file=${this.caFile} -c ssl_key_file=${join(this.dir, 'server.key')}` : ''),
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
    await eventually('the killed postmaster to exit', () => !processAlive(pid), { timeoutMs: 30_000, everyMs: 250 });
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

/** Whether a process of this pid still exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
