// The architecture as lint: apps never import apps; contracts and domain libs stay free
// of transport and storage. Runs the workspace's real ESLint config on probe sources.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** Lints `code` as if it were `file`, with the ESLint CLI (the config is ESM, which jest's VM cannot load). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [resolve(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  if (!run.stdout) throw new Error(`eslint did not run: ${run.stderr}`);
  if (/No cached ProjectGraph/.test(run.stdout + run.stderr)) throw new Error('the boundary rule was skipped: no Nx project graph');
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's project graph; without one it is silently skipped.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  }, 120_000);

  it.each([
    ['an app importing another app by package name', 'apps/escalation/src/probe.ts', "import { AppModule } from '@hitl/router';\nexport const x = AppModule;"],
    ['an app importing another app by relative path', 'apps/escalation/src/probe.ts', "import { AppModule } from '../../router/src/app.module';\nexport const x = AppModule;"],
    ['the contracts importing the messaging lib', 'libs/contracts/src/probe.ts', "import { Outbox } from '@hitl/messaging';\nexport const x = Outbox;"],
    ['the contracts importing kafkajs', 'libs/contracts/src/probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;"],
    ['the contracts importing TypeORM', 'libs/contracts/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;"],
    ['a platform lib importing an app', 'libs/messaging/src/probe.ts', "import { AppModule } from '@hitl/router';\nexport const x = AppModule;"],
    // The console's browser bundle imports the reviewer API: the contracts' index needs node:crypto.
    ['the reviewer API importing the contracts', 'libs/reviewer-api/src/probe.ts', "import { Topics } from '@hitl/contracts';\nexport const x = Topics;"],
    ['the reviewer API importing a Node module', 'libs/reviewer-api/src/probe.ts', "import { createHash } from 'node:crypto';\nexport const x = createHash;"],
    ['the reviewer API importing a Node module by its bare name', 'libs/reviewer-api/src/probe.ts', "import { readFileSync } from 'fs';\nexport const x = readFileSync;"],
  ])('fails lint: %s', async (_name, file, code) => {
    expect(await boundaryErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['an app importing the contracts and the messaging lib', 'apps/escalation/src/probe.ts', "import { Topics } from '@hitl/contracts';\nimport { Outbox } from '@hitl/messaging';\nexport const x = [Topics, Outbox];"],
    ['the messaging lib importing the contracts', 'libs/messaging/src/probe.ts', "import { Topics } from '@hitl/contracts';\nexport const x = Topics;"],
    ['the contracts importing zod', 'libs/contracts/src/probe.ts', "import { z } from 'zod';\nexport const x = z;"],
    ['the console importing the reviewer API', 'apps/console/src/web/probe.ts', "import { InboxItem } from '@hitl/reviewer-api';\nexport const x = InboxItem;"],
    ['the escalation importing the reviewer API', 'apps/escalation/src/probe.ts', "import { QueueStats } from '@hitl/reviewer-api';\nexport const x = QueueStats;"],
  ])('passes lint: %s', async (_name, file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
