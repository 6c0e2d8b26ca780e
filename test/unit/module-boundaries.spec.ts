// The architecture as lint: apps never import apps; contracts and domain libs stay free
// of transport and storage; what runs hitl from outside (bench/, faults/, test/, scripts/,
// examples/) uses libs, never an app's sources; every package a project imports is declared
// in its package.json. Runs the workspace's real ESLint config on probe sources.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Nx's project graph, which both rules read; `dataDir`: somewhere other than the workspace's. */
function projectGraph(dataDir?: string): void {
  const env = { ...process.env, NX_DAEMON: 'false', ...(dataDir ? { NX_WORKSPACE_DATA_DIRECTORY: dataDir } : {}) };
  execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], { cwd: root, env, stdio: 'ignore' });
}

// ESLint in a process of its own (the config is ESM, which jest's VM cannot load), its config
// loaded once for every probe: `code` linted as if it were `file`, or files from disk.
const LINT = `
const { ESLint } = require('eslint');
const { probes, files } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint();
  const results = files ? await eslint.lintFiles(files) : [];
  for (const probe of probes) results.push(...(await eslint.lintText(probe.code, { filePath: probe.file })));
  process.stdout.write(JSON.stringify(results.map((r) => r.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })))));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

function lint(work: { probes?: { file: string; code: string }[]; files?: string[] }, env: NodeJS.ProcessEnv = process.env): LintMessage[][] {
  const run = spawnSync(process.execPath, ['-e', LINT], {
    cwd: root,
    env,
    input: JSON.stringify({ probes: [], ...work }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0 || !run.stdout) throw new Error(`eslint did not run: ${run.stderr}`);
  if (/No cached ProjectGraph/.test(run.stdout + run.stderr)) throw new Error('the Nx rules were skipped: no Nx project graph');
  return JSON.parse(run.stdout) as LintMessage[][];
}

/** What runs hitl from outside: each folder, and the way up from a probe there to the workspace root. */
const outside: [string, string][] = [
  ['bench', '../'],
  ['faults', '../'],
  ['scripts', '../'],
  ['test/unit', '../../'],
  ['test/integration', '../../'],
  ['examples/refund-agent', '../../'],
];

const failing: [string, string, string][] = [
  ['an app importing another app by package name', 'apps/escalation/src/probe.ts', "import { AppModule } from '@hitl/router';\nexport const x = AppModule;"],
  [
    'an app importing another app by relative path',
    'apps/escalation/src/probe.ts',
    "import { AppModule } from '../../router/src/app.module';\nexport const x = AppModule;",
  ],
  ['the contracts importing the messaging lib', 'libs/contracts/src/probe.ts', "import { Outbox } from '@hitl/messaging';\nexport const x = Outbox;"],
  ['the contracts importing kafkajs', 'libs/contracts/src/probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;"],
  ['the contracts importing TypeORM', 'libs/contracts/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;"],
  ['a platform lib importing an app', 'libs/messaging/src/probe.ts', "import { AppModule } from '@hitl/router';\nexport const x = AppModule;"],
  // The console's browser bundle imports the reviewer API: the contracts' index needs node:crypto.
  ['the reviewer API importing the contracts', 'libs/reviewer-api/src/probe.ts', "import { Topics } from '@hitl/contracts';\nexport const x = Topics;"],
  ['the reviewer API importing a Node module', 'libs/reviewer-api/src/probe.ts', "import { createHash } from 'node:crypto';\nexport const x = createHash;"],
  [
    'the reviewer API importing a Node module by its bare name',
    'libs/reviewer-api/src/probe.ts',
    "import { readFileSync } from 'fs';\nexport const x = readFileSync;",
  ],
  // An app's own code never takes what only its tests use.
  [
    'an app importing the test launcher outside its tests',
    'apps/escalation/src/probe.ts',
    "import { Launcher } from '@hitl/testing';\nexport const x = Launcher;",
  ],
  // What runs hitl from outside runs an app as a process, never from its sources.
  ...outside.flatMap(([dir, up]): [string, string, string][] => [
    [
      `${dir} importing an app's source by path`,
      `${dir}/probe.ts`,
      `import { routerService } from '${up}apps/router/src/service';\nexport const x = routerService;`,
    ],
    [`${dir} importing an app by package name`, `${dir}/probe.ts`, "import { AppModule } from '@hitl/router';\nexport const x = AppModule;"],
  ]),
];

const passing: [string, string, string][] = [
  [
    'an app importing the contracts and the messaging lib',
    'apps/escalation/src/probe.ts',
    "import { Topics } from '@hitl/contracts';\nimport { Outbox } from '@hitl/messaging';\nexport const x = [Topics, Outbox];",
  ],
  ['the messaging lib importing the contracts', 'libs/messaging/src/probe.ts', "import { Topics } from '@hitl/contracts';\nexport const x = Topics;"],
  ['the contracts importing zod', 'libs/contracts/src/probe.ts', "import { z } from 'zod';\nexport const x = z;"],
  ['the console importing the reviewer API', 'apps/console/src/web/probe.ts', "import { InboxItem } from '@hitl/reviewer-api';\nexport const x = InboxItem;"],
  [
    'the escalation importing the reviewer API',
    'apps/escalation/src/probe.ts',
    "import { QueueStats } from '@hitl/reviewer-api';\nexport const x = QueueStats;",
  ],
  [
    "an app's integration spec importing the test launcher",
    'apps/escalation/test/probe.int-spec.ts',
    "import { Launcher } from '@hitl/testing';\nexport const x = Launcher;",
  ],
  ...outside.map(([dir]): [string, string, string] => [
    `${dir} importing libs (the test launcher among them)`,
    `${dir}/probe.ts`,
    "import { Topics } from '@hitl/contracts';\nimport { Outbox } from '@hitl/messaging';\nimport { Launcher } from '@hitl/testing';\nexport const x = [Topics, Outbox, Launcher];",
  ]),
];

describe('module boundaries', () => {
  const errors = new Map<string, string[]>();

  beforeAll(() => {
    // The rule reads Nx's project graph; without one it is silently skipped.
    projectGraph();
    const probes = [...failing, ...passing];
    const results = lint({ probes: probes.map(([, file, code]) => ({ file, code })) });
    probes.forEach(([name], i) => {
      errors.set(
        name,
        results[i].filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports').map((m) => m.message),
      );
    });
  }, 120_000);

  it.each(failing)('fails lint: %s', (name) => {
    expect(errors.get(name)).not.toEqual([]);
  });

  it.each(passing)('passes lint: %s', (name) => {
    expect(errors.get(name)).toEqual([]);
  });
});

describe('declared dependencies', () => {
  const manifests = ['apps', 'libs'].flatMap((dir) => readdirSync(resolve(root, dir)).map((name) => `${dir}/${name}/package.json`));
  const read = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8')) as Record<string, Record<string, string> | undefined>;

  it('fails lint on a package an app imports without declaring it', () => {
    // The rule takes a project's imports from Nx's project graph, so the probe is a file of
    // the app while a graph of its own is made (the workspace's stays as it is).
    const probe = resolve(root, `apps/escalation/src/undeclared-import-probe-${process.pid}.ts`);
    const dataDir = mkdtempSync(join(tmpdir(), 'hitl-nx-graph-'));
    let messages: LintMessage[];
    try {
      // zod is declared; commander (the CLI's) is not.
      writeFileSync(probe, "import { Command } from 'commander';\nimport { z } from 'zod';\nexport const probe = [Command, z];\n");
      projectGraph(dataDir);
      [messages] = lint({ files: ['apps/escalation/package.json'] }, { ...process.env, NX_WORKSPACE_DATA_DIRECTORY: dataDir });
    } finally {
      rmSync(probe, { force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
    const missing = messages.filter((m) => m.ruleId === '@nx/dependency-checks').map((m) => m.message);
    expect(missing).toEqual([expect.stringContaining('- commander')]);
    expect(missing[0]).not.toContain('zod');
  }, 120_000);

  it("declares every package at the root's range", () => {
    const rootManifest = read('package.json');
    const ranges = { ...rootManifest.devDependencies, ...rootManifest.dependencies, ...rootManifest.optionalDependencies };
    const differing = manifests.flatMap((file) => {
      const manifest = read(file);
      return Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })
        .filter(([name, range]) => !name.startsWith('@hitl/') && ranges[name] !== range)
        .map(([name, range]) => `${file}: ${name} ${range} (root: ${ranges[name] ?? 'none'})`);
    });
    expect(differing).toEqual([]);
  });
});
