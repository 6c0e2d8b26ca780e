// The Python client (clients/python, the package hitl_client): its pytest suite, run by
// python3 with `cryptography` and `pytest` (CI installs Debian's python3-cryptography and
// python3-pytest). It checks canonical JSON, payload hashes and signatures against the
// TypeScript implementation's vectors (vectors.int-spec.ts keeps them current), and the guard,
// the executor's rule, on events the TypeScript services' signEvent signed.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
const root = resolve(__dirname, '../../..');

describe('the Python client (clients/python)', () => {
  it('passes its pytest suite (python3 -m pytest -q clients/python/tests)', () => {
    const ready = spawnSync('python3', ['-c', 'import cryptography, pytest'], { encoding: 'utf8' });
    if (ready.status !== 0) {
      throw new Error(`python3 with cryptography and pytest is needed (Debian: apt-get install python3-cryptography python3-pytest): ${ready.stderr}`);
    }
    const run = spawnSync('python3', ['-m', 'pytest', '-q', resolve(root, 'clients/python/tests')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    if (run.status !== 0) console.error(`python3 -m pytest -q clients/python/tests exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\d+ passed/);
    expect(run.stdout).not.toMatch(/failed|error/i);
  });
});
