import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { ed25519Backend, ed25519Sign, ed25519VerifyAsync, useVerifyThreads } from './ed25519';
import { MIN_THREADED_BATCH, VerifyThreads } from './verify-threads';

// Worker threads verify only where libsodium loads (it does on the machines CI runs on).
const maybe = ed25519Backend() === 'libsodium' ? describe : describe.skip;

maybe('signatures verified on worker threads', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519').publicKey;
  const message = (i: number) => Buffer.from(`{"id":"event-${i}","n":${i}}`);
  const signature = (i: number) => ed25519Sign(message(i), privateKey);

  afterEach(() => useVerifyThreads(0));

  // What each check is, and what the threads must say of it: exactly what the main thread says.
  const cases: [string, (i: number) => Promise<boolean>, boolean][] = [
    ['a good signature', (i) => ed25519VerifyAsync(message(i), signature(i), publicKey), true],
    ['another event signed', (i) => ed25519VerifyAsync(message(i + 1), signature(i), publicKey), false],
    ['another key', (i) => ed25519VerifyAsync(message(i), signature(i), other), false],
    ['a flipped bit', (i) => ed25519VerifyAsync(message(i), Buffer.from(signature(i).map((b, j) => (j === 0 ? b ^ 1 : b))), publicKey), false],
    ['a short signature', (i) => ed25519VerifyAsync(message(i), signature(i).subarray(0, 63), publicKey), false],
  ];

  it.each([
    ['one at a time (inline: below the batch worth a hop)', 1],
    ['a chunk of 200 at once (on the threads)', 200],
  ])('%s', async (_name, size) => {
    useVerifyThreads(2);
    const checks = Array.from({ length: size }, (_, i) => cases[i % cases.length]);
    const verdicts = await Promise.all(checks.map(([, check], i) => check(i)));
    expect(verdicts).toEqual(checks.map(([, , expected]) => expected));
  });

  it('a worker that dies mid-batch: its checks are verified on the main thread, never lost nor passed', async () => {
    useVerifyThreads(1);
    // Start a batch so the worker exists, then terminate every worker under the next one.
    await Promise.all(Array.from({ length: 20 }, (_, i) => cases[0][1](i)));
    const pending = Array.from({ length: 50 }, (_, i) => cases[i % cases.length]);
    const verdicts = Promise.all(pending.map(([, check], i) => check(i)));
    await new Promise((posted) => setImmediate(posted)); // the batch is on its way to the worker
    useVerifyThreads(0); // closes the pool: its worker exits with the batch in flight
    expect(await verdicts).toEqual(pending.map(([, , expected]) => expected));
  });
});

maybe('the verification pool', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
  const sodium = createRequire(__filename).resolve('sodium-native');

  it('starts its workers when it is made, not on the first chunk big enough to need one (which then waited for a thread to start)', async () => {
    const inline: string[] = [];
    const threads = new VerifyThreads(2, sodium, () => {
      inline.push('inline');
      return false;
    });
    try {
      expect(threads.running).toBe(2);
      await threads.ready();
      expect(threads.running).toBe(2);
      const message = (i: number) => Buffer.from(`{"n":${i}}`);
      const verdicts = await Promise.all(
        Array.from({ length: MIN_THREADED_BATCH * 2 }, (_, i) => threads.verify(message(i), ed25519Sign(message(i % 3 === 0 ? i + 1 : i), privateKey), raw)),
      );
      expect(verdicts).toEqual(Array.from({ length: MIN_THREADED_BATCH * 2 }, (_, i) => i % 3 !== 0));
      expect(inline).toEqual([]); // on the threads, not the main thread
    } finally {
      await threads.close();
    }
  });
});
