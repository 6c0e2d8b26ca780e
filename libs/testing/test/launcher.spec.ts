// The launcher that the end-to-end specs, the benchmarks, the fault runs and `npm start`
// share: the variables it gives, and what the fault runs need of it (started twice, kill -9
// and a restart on the same port, stop with SIGTERM then SIGKILL), on a stand-in service.
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppName, Launcher, LauncherOptions, SERVICE_HEAP_FLAGS, SERVICE_MALLOC_ENV, ServiceSettings, serviceEnv } from '../src';

const fakeService = resolve(__dirname, 'fixtures/fake-service.js');

describe('serviceEnv', () => {
  it.each<[string, ServiceSettings, Record<string, string>]>([
    ['nothing set leaves every variable to the environment', {}, {}],
    [
      'the run its database, broker and topics',
      { databaseUrl: 'postgres://postgres@127.0.0.1:5432/run', brokers: ['a:9092', 'b:9092'], topicPrefix: 't-1.', partitions: 3 },
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/run', KAFKA_BROKERS: 'a:9092,b:9092', KAFKA_TOPIC_PREFIX: 't-1.', KAFKA_PARTITIONS: '3' },
    ],
    ['an empty topic prefix clears an inherited one', { topicPrefix: '' }, { KAFKA_TOPIC_PREFIX: '' }],
    [
      'policy, reviewers, logs and the SLA scan',
      { manifestPath: '/m.yaml', reviewersPath: '/r.yaml', logLevel: 'warn', slaScanIntervalMs: 200 },
      { MANIFEST_PATH: '/m.yaml', REVIEWERS_PATH: '/r.yaml', LOG_LEVEL: 'warn', SLA_SCAN_INTERVAL_MS: '200' },
    ],
    [
      'tokens by the names of the reviewers and auditors files',
      { reviewerTokens: { alice: 'ta', dana: 'td' }, auditorTokens: { compliance: 'tc' } },
      { REVIEWER_TOKEN_ALICE: 'ta', REVIEWER_TOKEN_DANA: 'td', AUDITOR_TOKEN_COMPLIANCE: 'tc' },
    ],
  ])('%s', (_name, settings, expected) => {
    expect(serviceEnv(settings)).toEqual(expected);
  });
});

describe('Launcher', () => {
  const unexpected: string[] = [];
  let launcher: Launcher;

  const launch = (options: Partial<LauncherOptions> = {}) =>
    (launcher = new Launcher({
      entry: () => fakeService,
      settings: { topicPrefix: 'spec.', reviewerTokens: { alice: 'token-a' } },
      trust: (name: AppName) => ({ SIGNING_KEY_FILE: `/keys/${name}.pem` }),
      env: (name: AppName) => ({ APP: name }),
      onUnexpectedExit: (label, how) => unexpected.push(`${label} exited (${how})`),
      readyTimeoutMs: 30_000,
      ...options,
    }));
  const envOf = async (url: string) => (await fetch(`${url}/env`)).json() as Promise<Record<string, string>>;

  beforeEach(() => {
    unexpected.length = 0;
  });
  afterEach(() => launcher.stop());

  it('starts an app healthy with its settings, trust, own variables and port', async () => {
    const router = await launch().start('router', { env: { EXTRA: 'yes' } });
    expect(router.url).toBe(launcher.url('router'));
    expect(await envOf(router.url)).toMatchObject({
      KAFKA_TOPIC_PREFIX: 'spec.',
      REVIEWER_TOKEN_ALICE: 'token-a',
      SIGNING_KEY_FILE: '/keys/router.pem',
      APP: 'router',
      EXTRA: 'yes',
      HTTP_PORT: String(router.port),
    });
  });

  it('runs an app within the heap budget the image gives it; a heap flag of nodeArgs overrides the budget', async () => {
    const heapOf = async (url: string) => (await fetch(`${url}/heap`)).json() as Promise<{ limitMib: number; execArgv: string[] }>;
    const budgeted = await heapOf((await launch().start('audit')).url);
    expect(budgeted.execArgv).toEqual([...SERVICE_HEAP_FLAGS]);
    // 128 MiB of old space and the young generation; unbounded, V8 takes a share of the machine's memory.
    expect(budgeted.limitMib).toBeGreaterThanOrEqual(128);
    expect(budgeted.limitMib).toBeLessThan(192);
    await launcher.stop();
    const overridden = await heapOf((await launch({ nodeArgs: ['--max-old-space-size=512'] }).start('audit')).url);
    expect(overridden.limitMib).toBeGreaterThanOrEqual(512);
  });

  it("runs an app with glibc's allocator settings of the image, unless the caller's environment sets one", async () => {
    const inherited = process.env.MALLOC_ARENA_MAX;
    process.env.MALLOC_ARENA_MAX = '4';
    try {
      const env = await envOf((await launch().start('audit')).url);
      expect(Object.fromEntries(Object.keys(SERVICE_MALLOC_ENV).map((name) => [name, env[name]]))).toEqual({ ...SERVICE_MALLOC_ENV, MALLOC_ARENA_MAX: '4' });
    } finally {
      if (inherited === undefined) delete process.env.MALLOC_ARENA_MAX;
      else process.env.MALLOC_ARENA_MAX = inherited;
    }
  });

  it('starts an app twice: a second replica on another port, stopped alone by stopExtras', async () => {
    launch();
    const [first, second] = [await launcher.start('escalation'), await launcher.start('escalation')];
    expect(second.port).not.toBe(first.port);
    expect(launcher.replicas('escalation')).toEqual([first, second]);
    await launcher.stopExtras('escalation');
    expect(launcher.replicas('escalation')).toEqual([first]);
    expect(second.exited).toBe(true);
    expect(unexpected).toEqual([]);
  });

  it('kill -9 is no unexpected exit, and the restart answers on the same port', async () => {
    launch();
    const before = await launcher.start('audit');
    await launcher.kill9('audit');
    expect(await before.ended).toBe('SIGKILL');
    expect(launcher.replicas('audit')).toEqual([]);
    const after = await launcher.start('audit');
    expect(after.port).toBe(before.port);
    expect(unexpected).toEqual([]);
  });

  it('reports an exit nobody asked for, and restartDead starts that app again', async () => {
    launch();
    const calibrator = await launcher.start('calibrator');
    await fetch(`${calibrator.url}/exit`);
    expect(await calibrator.ended).toBe('3');
    expect(unexpected).toEqual(['calibrator#0 exited (3)']);
    await launcher.restartDead(['calibrator']);
    expect(launcher.replicas('calibrator')).toHaveLength(1);
    expect(launcher.url('calibrator')).toBe(calibrator.url);
  });

  it('stops an app that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const router = await launch({ stopGraceMs: 500 }).start('router', { env: { FAKE_IGNORE_SIGTERM: '1' } });
    await launcher.stop();
    expect(await router.ended).toBe('SIGKILL');
    expect(router.output).toContain('SIGTERM ignored');
  });

  it('fails a start naming the app and showing what it printed, and writes its log file', async () => {
    const logDir = resolve(__dirname, '../../../tmp/launcher-spec-logs');
    rmSync(logDir, { recursive: true, force: true });
    await expect(launch({ logDir }).start('router', { env: { FAKE_BROKEN: 'no database' } })).rejects.toThrow(
      /router#0 exited \(1\) while starting.*router-0\.log.*\n.*cannot start: no database/s,
    );
    expect(readFileSync(resolve(logDir, 'router-0.log'), 'utf8')).toContain('cannot start: no database');
  });

  it('names the missing build', async () => {
    await expect(launch({ entry: () => '/nowhere/main.js' }).start('router')).rejects.toThrow('/nowhere/main.js is missing: run npm run build first');
  });

  it('starts several at once and names every one that did not become healthy', async () => {
    launch({ env: (name): Record<string, string> => (name === 'audit' || name === 'router' ? { FAKE_BROKEN: `${name} is broken` } : {}) });
    await expect(launcher.startAll(['router', 'escalation', 'audit'])).rejects.toThrow(/router is broken[\s\S]*audit is broken/);
    expect(launcher.replicas('escalation')).toHaveLength(1);
  });
});
