// The project runs on Node 24 LTS: the tests themselves, what they spawn by name, the images
// and every package that says which Node it needs. A machine with an older Node gets the
// locked one from the `node` package, first on the PATH of every npm script.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_HEAP_FLAGS, SERVICE_MALLOC_ENV } from '@hitl/testing';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
const locked = lock.packages['node_modules/node']?.version;
const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

describe('the runtime', () => {
  it('the lockfile pins one Node 24 release', () => {
    expect(locked).toMatch(/^24\.\d+\.\d+$/);
    expect((JSON.parse(read('package.json')) as { devDependencies: Record<string, string> }).devDependencies.node).toBe(locked);
  });

  it('the tests run on it', () => {
    expect(process.versions.node).toBe(locked);
  });

  it('`node` on the PATH of what the tests spawn is the same', () => {
    expect(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${locked}`);
  });

  it('.nvmrc, the images and every package ask for Node 24 or later', () => {
    expect(major(read('.nvmrc').trim())).toBe(24);
    expect(read('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    const manifests = ['package.json', ...['apps', 'libs'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}/package.json`))].filter(
      (path) => existsSync(join(root, path)),
    );
    const engines = manifests.map((path) => [path, (JSON.parse(read(path)) as { engines?: { node?: string } }).engines?.node] as const);
    for (const [path, range] of engines.filter(([, range]) => range !== undefined)) {
      expect(`${path}: ${major(range!.replace(/^>=\s*/, ''))}`).toBe(`${path}: 24`);
    }
    expect(engines.find(([path]) => path === 'package.json')?.[1]).toBeDefined();
  });

  it('the image runs every service with the heap budget the tests and benchmarks run it with', () => {
    const options = /^\s*NODE_OPTIONS="([^"]*)"/m.exec(read('Dockerfile'));
    expect(options?.[1]).toBe(SERVICE_HEAP_FLAGS.join(' '));
  });

  it("the image runs every service with glibc's allocator settings the tests and benchmarks run it with", () => {
    const runtime = read('Dockerfile').split(/^FROM .* AS runtime$/m)[1] ?? '';
    const set = Object.fromEntries([...runtime.matchAll(/^\s*(MALLOC_[A-Z_]+)=(\S+?)(?:\s*\\)?$/gm)].map(([, name, value]) => [name, value]));
    expect(set).toEqual(SERVICE_MALLOC_ENV);
  });
});
