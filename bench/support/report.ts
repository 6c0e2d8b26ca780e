// What every figure prints and, except at tiny size, appends to docs/benchmarks.md: its
// table under a heading, with the machine it ran on and the commit it measured.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { databaseUrl, query } from '@hitl/testing';
import { root } from './services';
import { Size } from './size';

export const DOC = resolve(root, 'docs/benchmarks.md');

/** The broker's version, from the jar the native broker (npm run infra:up) runs. */
function kafkaVersion(): string {
  if (process.env.KAFKA_VERSION) return process.env.KAFKA_VERSION;
  const lib = resolve(root, '.infra/kafka/lib');
  const jar = existsSync(lib) ? readdirSync(lib).find((f) => /^kafka_2\.13-[\d.]+\.jar$/.test(f)) : undefined;
  return jar ? jar.replace(/^kafka_2\.13-|\.jar$/g, '') : 'unknown (set KAFKA_VERSION)';
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

/** One line: cores, memory, Node, kafkajs, PostgreSQL and Kafka versions, date, commit. */
export async function machineDescription(): Promise<string> {
  const [{ server_version }] = await query<{ server_version: string }>('SHOW server_version', [], databaseUrl({ database: 'postgres' }));
  const kafkajs = (require('kafkajs/package.json') as { version: string }).version;
  const cpu = cpus();
  return [
    `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'})`,
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `Node ${process.versions.node}`,
    `kafkajs ${kafkajs}`,
    `PostgreSQL ${server_version.split(' ')[0]}`,
    `Kafka ${kafkaVersion()}`,
    new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    `commit ${commit()}`,
  ].join(', ');
}

export interface Figure {
  title: string;
  table: string;
  /** What the figure means, what bounds it, and whether the target holds. */
  notes: string[];
  /** name: value, printed at the end of `npm run bench`. */
  ratios: Record<string, string>;
}

/** Prints the figure; appends it to docs/benchmarks.md unless the run is tiny. */
export async function publish(figure: Figure, size: Size): Promise<void> {
  const text = `### ${figure.title} (${size})\n\n${await machineDescription()}\n\n${figure.table}\n\n${figure.notes.map((n) => `- ${n}`).join('\n')}\n`;
  console.log(`\n${text}`);
  if (size !== 'tiny') appendFileSync(DOC, `\n${text}`);
}
