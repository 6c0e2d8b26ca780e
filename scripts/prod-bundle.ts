// The production bundle: exactly what the Dockerfile's runtime stage copies into the image.
// The root and every workspace's package.json, the lockfile, the builds (dist/, and the
// CLI's bin/) of the apps, the CLI and the libs they use, the committed manifests and
// config, then `npm ci --omit=dev` in it for those: their production dependencies, nothing
// of the tooling.
//
//   node -r @swc-node/register scripts/prod-bundle.ts --out DIR    assemble into DIR (the Dockerfile)
//   node -r @swc-node/register scripts/prod-bundle.ts --check      assemble into a temp dir, then boot every
//                                                                  app from it, healthy (CI: what the image holds)
//
// No Docker engine is needed for --check: it proves what the image contains by running the
// same bundle outside it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppName, Launcher, SERVICES, WORKSPACE_ROOT, databaseUrl, deleteTopicsStartingWith, query, testTrust } from '@hitl/testing';
import { fixKafkajsRequestQueue } from '@hitl/kafkajs-fix';
import { Kafka, logLevel } from 'kafkajs';

const root = WORKSPACE_ROOT;
/**
 * Development tools that must never reach the image. (typescript and @swc/core do: typeorm
 * depends on ts-node for its CLI, which wants them as peers; the services never load them.)
 */
const DEV_ONLY = ['jest', '@swc-node/register', 'nx', 'eslint', 'vite', 'prettier', 'testcontainers', 'cloudevents'];
/** Packages of workspaces no app depends on (the LangGraph and MCP adapters): not in the image. */
const NOT_RUN = ['@langchain/core', '@langchain/langgraph', '@modelcontextprotocol/sdk'];
/** What the image runs: the four services, the gateway and the console. */
const APPS: readonly AppName[] = [...SERVICES, 'gateway', 'console'];
/** What the image holds: those apps and the CLI (`hitl check` from inside the cluster), by folder. */
const IMAGE_ROOTS = [...APPS.map((name) => `apps/${name}`), 'apps/cli'];

function copy(from: string, to: string): void {
  if (existsSync(resolve(root, from))) cpSync(resolve(root, from), join(to, from), { recursive: true });
}

type PackageJson = { name: string; dependencies?: Record<string, string> };
const packageJson = (workspace: string) => JSON.parse(readFileSync(resolve(root, workspace, 'package.json'), 'utf8')) as PackageJson;

/** Every workspace's folder (apps/*, libs/*). */
function workspaces(): string[] {
  return ['apps', 'libs'].flatMap((group) =>
    readdirSync(resolve(root, group))
      .map((name) => `${group}/${name}`)
      .filter((workspace) => existsSync(resolve(root, workspace, 'package.json'))),
  );
}

/** The image's roots and every workspace they depend on, directly or not. */
function imageWorkspaces(all: readonly string[]): Set<string> {
  const folderOf = new Map(all.map((workspace) => [packageJson(workspace).name, workspace]));
  const held = new Set<string>();
  const next = [...IMAGE_ROOTS];
  for (let workspace = next.pop(); workspace; workspace = next.pop()) {
    if (held.has(workspace)) continue;
    held.add(workspace);
    for (const name of Object.keys(packageJson(workspace).dependencies ?? {})) {
      const folder = folderOf.get(name);
      if (folder) next.push(folder);
    }
  }
  return held;
}

/** Assembles the bundle into `out` and installs its production dependencies. */
export function assemble(out: string): void {
  mkdirSync(out, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', '.npmrc', 'manifests', 'config']) copy(file, out);
  const all = workspaces();
  const held = imageWorkspaces(all);
  for (const workspace of all) {
    // Every package.json, which npm ci checks against the lockfile; the builds of what the image holds.
    copy(`${workspace}/package.json`, out);
    if (!held.has(workspace)) continue;
    copy(`${workspace}/dist`, out);
    copy(`${workspace}/bin`, out);
    copy(`${workspace}/generated`, out);
  }
  // The image's entry point: `node service.js <app>`.
  cpSync(resolve(root, 'scripts/image-entry.js'), join(out, 'service.js'));
  // Exactly the locked tree, production dependencies only; no install scripts (prebuilt binaries
  // only). Only what the image's roots need: no workspace that none of them depends on (the
  // LangGraph and MCP adapters, with LangChain, its tokenizer and the MCP SDK: some 70 MB).
  const roots = IMAGE_ROOTS.flatMap((workspace) => ['--workspace', workspace]);
  execFileSync('npm', ['ci', '--omit=dev', ...roots, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' });
}

async function check(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'hitl-bundle-'));
  try {
    assemble(out);
    const present = DEV_ONLY.filter((name) => existsSync(join(out, 'node_modules', name)));
    if (present.length > 0) throw new Error(`the production bundle holds development tools: ${present.join(', ')}`);
    const unused = NOT_RUN.filter((name) => existsSync(join(out, 'node_modules', name)));
    if (unused.length > 0) throw new Error(`the production bundle holds packages no app uses: ${unused.join(', ')}`);
    // The operator's CLI runs from it: a committed manifest validated by the bundle's hitl.
    const validated = execFileSync(process.execPath, [join(out, 'apps/cli/bin/hitl.js'), 'manifest', 'validate', join(out, 'manifests/refunds.yaml')], {
      encoding: 'utf8',
    });
    console.log(`hitl       from the bundle: ${validated.trim().split('\n')[0]}`);
    // A database and topics of its own: nothing of another run is read or left behind.
    const id = randomBytes(4).toString('hex');
    const database = `hitl_bundle_${id}`;
    const prefix = `bundle-${id}.`;
    await query(`CREATE DATABASE "${database}"`, [], databaseUrl({ database: 'postgres' }));
    const launcher = new Launcher({
      root: out,
      from: 'dist',
      // Through the image's entry point, the app named by HITL_APP (below).
      entry: () => join(out, 'service.js'),
      readyTimeoutMs: 90_000,
      settings: { databaseUrl: databaseUrl({ database }), topicPrefix: prefix },
      trust: (name) => testTrust().env(name),
      // As the image runs them: listening on every interface.
      env: (name) => ({ HITL_APP: name, HTTP_HOST: '0.0.0.0', LOG_LEVEL: 'warn' }),
    });
    try {
      for (const name of APPS) {
        // The console fronts the services where they run.
        const fronts =
          name === 'console'
            ? { ESCALATION_URL: launcher.url('escalation'), AUDIT_URL: launcher.url('audit'), CALIBRATOR_URL: launcher.url('calibrator') }
            : undefined;
        const app = await launcher.start(name, { env: fronts });
        const probe = name === 'console' ? '/healthz' : '/readyz';
        const status = (await fetch(`${app.url}${probe}`)).status;
        if (status !== 200) throw new Error(`${name} from the bundle answered ${probe} with ${status}`);
        console.log(`${name.padEnd(10)} from the bundle: ${probe} 200 (node service.js, HITL_APP=${name})`);
      }
    } finally {
      await launcher.stop();
      await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, [], databaseUrl({ database: 'postgres' }));
      fixKafkajsRequestQueue(); // else Node 24 warns of kafkajs's negative timeout on this terminal
      const kafka = new Kafka({
        clientId: 'prod-bundle-check',
        brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
        logLevel: logLevel.NOTHING,
      });
      await deleteTopicsStartingWith(kafka, prefix);
    }
    console.log(`the production bundle (${out}) boots every app; no development tool in it`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  if (at > 0 && process.argv[at + 1]) return assemble(resolve(process.argv[at + 1]));
  if (process.argv.includes('--check')) return check();
  throw new Error('usage: prod-bundle.ts --out DIR | --check');
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
