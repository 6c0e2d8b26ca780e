// The agent SDK as people install it: @hitl/contracts, @hitl/kafkajs-fix and @hitl/agent-sdk built and packed
// with `npm pack`, installed from those tarballs into an empty project outside the monorepo
// (their other dependencies from the registry, or npm's cache), then required from
// JavaScript and type-checked from TypeScript there. What the README's install line gives.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

describe('the agent SDK as a package', () => {
  let dir: string;
  let tarballs: Record<'contracts' | 'fix' | 'sdk', string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hitl-pack-'));
    // Built as `npm run build` builds them (tsc project references), then packed as published.
    execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-b', 'libs/agent-sdk/tsconfig.lib.json'], { cwd: root, stdio: 'pipe' });
    const pack = (lib: string) =>
      JSON.parse(npm(['pack', '--json', '--pack-destination', dir], resolve(root, lib)))[0] as { filename: string; files: { path: string }[] };
    const contracts = pack('libs/contracts');
    const fix = pack('libs/kafkajs-fix');
    const sdk = pack('libs/agent-sdk');
    tarballs = { contracts: join(dir, contracts.filename), fix: join(dir, fix.filename), sdk: join(dir, sdk.filename) };
    // What a tarball must hold: the entry points and types package.json names, the README, no sources or specs.
    for (const [packed, lib] of [
      [contracts, 'libs/contracts'],
      [fix, 'libs/kafkajs-fix'],
      [sdk, 'libs/agent-sdk'],
    ] as const) {
      const manifest = JSON.parse(readFileSync(resolve(root, lib, 'package.json'), 'utf8'));
      const files = packed.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining([manifest.main, manifest.types, 'package.json']));
      expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.spec.js') || f.endsWith('.tsbuildinfo'))).toEqual([]);
    }
    expect(sdk.files.map((f) => f.path)).toContain('README.md');
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs from its tarballs into an empty project, and is required and type-checked there', () => {
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-agent', version: '1.0.0', private: true }));
    npm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        tarballs.contracts,
        tarballs.fix,
        tarballs.sdk,
        'typescript@5',
        '@types/node@20',
      ],
      app,
    );

    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        "const sdk = require('@hitl/agent-sdk'); const fix = require('@hitl/kafkajs-fix'); console.log(JSON.stringify({ agent: typeof sdk.HitlAgent, guard: typeof sdk.repairRequested, error: new sdk.HandbackTimeoutError('h', 5).code, fixed: fix.fixKafkajsRequestQueue() }))",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    // The installed kafkajs is the release the fix is for, and the fix finds it from where npm put it.
    expect(JSON.parse(loaded)).toEqual({ agent: 'function', guard: 'function', error: 'handback_timeout', fixed: true });

    // The README's quick start, as an agent author's TypeScript (a Node project: @types/node): the rest of its types come with the package.
    writeFileSync(
      join(app, 'agent.ts'),
      `import { HitlAgent, Handback, Resolution } from '@hitl/agent-sdk';
export async function run(agent: HitlAgent): Promise<[Resolution, Handback]> {
  const resolution = await agent.propose({ action: 'process_refund', parameters: { order_id: 'ORD-1', amount_usd: 20 }, confidence: 0.9,
    confidence_basis: 'matches the order history', uncertainty_factors: [], recommended_review: false, summary: 'Refund $20.' }, { timeoutMs: 60_000 });
  await agent.guard(resolution, async (parameters) => ({ refunded: parameters.amount_usd }));
  const handback = await agent.requestHuman({ session_id: 'chat-1', reason: 'asked for a person', transcript: [{ from: 'user', text: 'a human please' }] });
  return [resolution, handback];
}
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'commonjs',
          target: 'es2022',
          moduleResolution: 'node',
          esModuleInterop: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['agent.ts'],
      }),
    );
    const typecheck = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(`${typecheck.stdout}${typecheck.stderr}`).toBe('');
    expect(typecheck.status).toBe(0);
  }, 300_000);
});
