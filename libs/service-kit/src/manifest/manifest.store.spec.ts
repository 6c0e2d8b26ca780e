import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadManifest } from '@hitl/policy';
import pino from 'pino';
import { ManifestStore } from './manifest.store';

// A manifest per workspace: MANIFEST_PATH as a directory, each workspace's own manifest or
// the default, and SIGHUP (reload) taking all of them or none.
const refunds = readFileSync(resolve(__dirname, '../../../../manifests/refunds.yaml'), 'utf8');
const globex = refunds.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 500');
const silent = pino({ level: 'silent' });

describe('ManifestStore', () => {
  let dir: string;
  const store = () => new ManifestStore({ MANIFEST_PATH: dir, MANIFEST_MIN_TIER_SHARE_SECONDS: 60, MANIFEST_WATCH_INTERVAL_MS: 0 }, silent);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hitl-manifests-'));
    writeFileSync(join(dir, 'default.yaml'), refunds);
    writeFileSync(join(dir, 'globex-billing.yaml'), globex);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a workspace with its own manifest gets it', 'globex-billing', loadManifest(globex).version, 'globex-billing'],
    ['a workspace without one gets the default', 'initech', loadManifest(refunds).version, null],
    ['no workspace at all gets the default', undefined, loadManifest(refunds).version, null],
  ])('%s', (_name, workspace, version, of) => {
    const chosen = store().forWorkspace(workspace);
    expect([chosen.manifest.version, chosen.workspace]).toEqual([version, of]);
  });

  it('reload takes every manifest of the directory, a new workspace file included', () => {
    const s = store();
    writeFileSync(join(dir, 'initech.yaml'), globex);
    writeFileSync(join(dir, 'default.yaml'), refunds.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 25'));
    const after = s.reload();
    expect(after.error).toBeUndefined();
    expect(s.forWorkspace('initech').manifest.version).toBe(loadManifest(globex).version);
    expect(s.forWorkspace(null).manifest.version).not.toBe(loadManifest(refunds).version);
  });

  it('a set with one invalid manifest is refused whole: the previous set keeps serving, the error names the file and the workspace', () => {
    const s = store();
    const before = s.all;
    writeFileSync(join(dir, 'default.yaml'), refunds.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 25'));
    writeFileSync(join(dir, 'globex-billing.yaml'), globex.replace('approval_timeout_seconds: 900', 'approval_timeout_seconds: 30'));
    const after = s.reload();
    expect(after.error).toMatch(/globex-billing\.yaml \(MANIFEST_PATH, workspace globex-billing\).*approval_timeout_seconds/s);
    expect(s.all).toBe(before);
  });

  it('a directory without default.yaml stops the service at start, saying why', () => {
    rmSync(join(dir, 'default.yaml'));
    expect(() => store()).toThrow(/has no default\.yaml/);
  });

  it('a change of the files is reloaded once; an invalid rewrite is refused, the old set serving, until the files change again', () => {
    const s = store();
    const original = s.forWorkspace(null).manifest.version;
    const cheaper = refunds.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 25');
    const steps: [string, () => void, boolean, string][] = [
      ['nothing changed', () => undefined, false, original],
      ['the default rewritten in place', () => writeFileSync(join(dir, 'default.yaml'), cheaper), true, loadManifest(cheaper).version],
      ['the same bytes written again', () => writeFileSync(join(dir, 'default.yaml'), cheaper), false, loadManifest(cheaper).version],
      [
        'an invalid rewrite: refused, the last good set serves',
        () => writeFileSync(join(dir, 'default.yaml'), 'actions: [not, a, map]'),
        true,
        loadManifest(cheaper).version,
      ],
      ['looked at again, still invalid: not retried', () => undefined, false, loadManifest(cheaper).version],
      ['fixed: taken', () => writeFileSync(join(dir, 'default.yaml'), refunds), true, original],
      ['a file of another kind beside them: not a manifest', () => writeFileSync(join(dir, 'README.txt'), 'notes'), false, original],
    ];
    for (const [step, change, reloaded, version] of steps) {
      change();
      expect([step, s.reloadIfChanged(), s.forWorkspace(null).manifest.version]).toEqual([step, reloaded, version]);
    }
  });
});
