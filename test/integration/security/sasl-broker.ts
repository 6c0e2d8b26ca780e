// A Kafka 3.9.1 broker of a spec's own, never the shared one: single-node KRaft in a temp
// folder on free loopback ports, clients on SASL_PLAINTEXT with SCRAM-SHA-512, ACLs
// enforced by the StandardAuthorizer and nothing allowed without one. It runs from the jars
// scripts/infra.sh fetches into .infra/kafka/lib (fetched here first when they are missing).
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort } from '@hitl/testing';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';

const root = resolve(__dirname, '../../..');
const LIB_DIR = resolve(root, '.infra/kafka/lib');
const KAFKA_SRC_DIR = resolve(root, 'infra/kafka');
const run = promisify(execFile);

/** The super user: creates the ACLs; the broker also speaks to itself as it. */
export const ADMIN = 'admin';

/** The jars, fetched by scripts/infra.sh (its native path, on a broker of its own that it stops again) when missing. */
async function ensureJars(): Promise<void> {
  if (existsSync(join(LIB_DIR, '.complete'))) return;
  const state = mkdtempSync(join(tmpdir(), 'hitl-kafka-jars-'));
  const env = {
    ...process.env,
    HITL_INFRA_MODE: 'native',
    HITL_SKIP_TOPICS: '1',
    HITL_KAFKA_STATE_DIR: state,
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
  };
  try {
    await run('bash', [resolve(root, 'scripts/infra.sh'), 'up'], { cwd: root, env, timeout: 600_000 });
  } finally {
    await run('bash', [resolve(root, 'scripts/infra.sh'), 'down'], { cwd: root, env, timeout: 60_000 }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  }
}

/** A KRaft cluster id: 16 random bytes, base64url (as `kafka-storage random-uuid`, without a JVM). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export class SaslBroker {
  readonly brokers: string[];
  private child?: ChildProcess;
  private exited = false;

  private constructor(
    readonly dir: string,
    port: number,
    private readonly passwords: ReadonlyMap<string, string>,
  ) {
    this.brokers = [`127.0.0.1:${port}`];
  }

  /** Formats and starts the broker with a SCRAM-SHA-512 login for `admin` and each of `users`; resolves once the admin can connect. */
  static async start(users: readonly string[]): Promise<SaslBroker> {
    await ensureJars();
    const dir = mkdtempSync(join(tmpdir(), 'hitl-sasl-broker-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const passwords = new Map([ADMIN, ...users].map((user) => [user, randomBytes(18).toString('hex')]));
    const broker = new SaslBroker(dir, port, passwords);
    try {
      await broker.launch(port, controllerPort);
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  private async launch(port: number, controllerPort: number): Promise<void> {
    const dir = this.dir;
    const props = join(dir, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        // Clients log in with SCRAM; the controller listener stays PLAINTEXT on loopback (its
        // principal, ANONYMOUS, is the node talking to itself: hence a super user).
        `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=SASL_PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms=SCRAM-SHA-512',
        'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
        `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN}" password="${this.password(ADMIN)}";`,
        'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        `super.users=User:${ADMIN};User:ANONYMOUS`,
        'allow.everyone.if.no.acl.found=false',
        `log.dirs=${join(dir, 'data')}`,
        'auto.create.topics.enable=false',
        'num.partitions=3',
        'default.replication.factor=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=3',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'log.cleaner.dedupe.buffer.size=2097152',
        '',
      ].join('\n'),
    );
    // SCRAM credentials live in the metadata log: in KRaft they are written when the storage is formatted.
    const scram = [...this.passwords].flatMap(([name, password]) => ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${password}]`]);
    await run(
      'java',
      [
        '-Xmx256m',
        `-Dlog4j.configuration=file:${join(KAFKA_SRC_DIR, 'tools-log4j.properties')}`,
        '-cp',
        `${LIB_DIR}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId(),
        '-c',
        props,
        ...scram,
      ],
      { timeout: 60_000 },
    );
    const out = openSync(join(dir, 'stdout.log'), 'a');
    this.child = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${join(dir, 'logs')}`,
        `-Dlog4j.configuration=file:${join(KAFKA_SRC_DIR, 'log4j.properties')}`,
        '-cp',
        `${LIB_DIR}/*`,
        'kafka.Kafka',
        props,
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    this.child.once('exit', () => (this.exited = true));
    await this.waitReady();
  }

  password(user: string): string {
    const password = this.passwords.get(user);
    if (password === undefined) throw new Error(`no SCRAM login for ${user}`);
    return password;
  }

  /** A file holding a user's password and a trailing newline, as secrets are often mounted. */
  passwordFile(user: string): string {
    const path = join(this.dir, `${user}.password`);
    writeFileSync(path, `${this.password(user)}\n`, { mode: 0o600 });
    return path;
  }

  sasl(user: string, password = this.password(user)): KafkaConfig['sasl'] {
    return { mechanism: 'scram-sha-512', username: user, password };
  }

  /** A client logged in as `user` (with a wrong password when given one); no retries, so a refusal shows at once. */
  client(user: string, password?: string): Kafka {
    return new Kafka({ clientId: `sasl-${user}`, brokers: this.brokers, sasl: this.sasl(user, password), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  }

  /** The variables a service or script takes to log in as `user`. */
  env(user: string): Record<string, string> {
    return {
      KAFKA_BROKERS: this.brokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: user,
      KAFKA_SASL_PASSWORD_FILE: this.passwordFile(user),
    };
  }

  private async waitReady(timeoutMs = 90_000): Promise<void> {
    const admin = new Kafka({
      clientId: 'sasl-ready',
      brokers: this.brokers,
      sasl: this.sasl(ADMIN),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    let refusal = '';
    const answers = async () => {
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return true;
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        refusal = (error as Error).message;
        return false;
      }
    };
    await eventually('the broker to be ready', answers, {
      timeoutMs,
      everyMs: 250,
      abortIf: () => (this.exited ? 'the broker exited during startup' : undefined),
      detail: () => `${refusal}\n${this.logTail()}`,
    });
  }

  logTail(lines = 30): string {
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(none)');
    return `${read(join(this.dir, 'logs/server.log'))}\n${read(join(this.dir, 'stdout.log'))}`;
  }

  /** Kills the broker and removes its folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
