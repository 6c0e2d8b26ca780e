// The fault runs' own infrastructure, never the shared one: a native Kafka broker on other
// ports (scripts/infra.sh with its own state dir) and a throwaway PostgreSQL cluster
// (OwnPostgres of @hitl/testing), both killable.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OwnPostgres, eventually, processAlive } from '@hitl/testing';

export { OwnPostgres };

export const root = resolve(__dirname, '..');

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
    await eventually('the killed broker to exit', () => !processAlive(pid), { timeoutMs: 30_000, everyMs: 250 });
  }
}
