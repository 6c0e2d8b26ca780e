// Ed25519 verification on worker threads. A consumer verifies a whole chunk of events at once
// (each event's check started in the same turn of the event loop); those checks go to a
// worker as one message and come back as one, so the main thread, which decodes, routes and
// records, does not also spend ~55 µs an event on the curve. Small batches stay inline:
// below a few events the hop costs more than it saves.
import { Worker } from 'node:worker_threads';

/** Fewer checks than this in one turn are verified on the main thread. */
export const MIN_THREADED_BATCH = 8;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodium);
const view = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, messages, signatures, keys }) => {
  const results = new Uint8Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    try {
      results[i] = sodium.crypto_sign_verify_detached(view(signatures[i]), view(messages[i]), view(keys[i])) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

interface Check {
  message: Buffer;
  signature: Buffer;
  publicKey: Buffer;
  resolve: (ok: boolean) => void;
}

type InlineVerify = (message: Buffer, signature: Buffer, publicKey: Buffer) => boolean;

/** A few workers, each loaded with libsodium; a turn's checks go to the next one as one batch. */
export class VerifyThreads {
  private readonly workers: Worker[] = [];
  private readonly inFlight = new Map<number, { batch: Check[]; worker: Worker }>();
  /** Batches out per worker: a worker with none does not keep the process alive. */
  private readonly pending = new Map<Worker, number>();
  private queue: Check[] = [];
  private nextBatch = 0;
  private nextWorker = 0;
  private broken = false;
  private readonly starting: Promise<void>[] = [];

  /**
   * Starts its `count` workers at once: a thread takes tens of milliseconds to start and load
   * libsodium, and started on the first chunk big enough to send it, that chunk waited for it
   * (the first burst after a quiet spell stalled about 55 ms, figure 2). A check before they
   * are up waits in its worker's queue.
   */
  constructor(
    count: number,
    private readonly sodiumPath: string,
    private readonly inline: InlineVerify,
  ) {
    for (let i = 0; i < count; i++) this.start();
  }

  /** Resolves once every worker is up and has libsodium loaded (or has failed, its checks then inline). */
  ready(): Promise<void> {
    return Promise.all(this.starting).then(() => undefined);
  }

  /** How many workers are running. */
  get running(): number {
    return this.workers.length;
  }

  verify(message: Buffer, signature: Buffer, publicKey: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ message, signature, publicKey, resolve });
    });
  }

  /** Stops the workers (tests, shutdown); later checks are verified inline (see fail). */
  async close(): Promise<void> {
    const workers = [...this.workers];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length < MIN_THREADED_BATCH || this.broken || this.workers.length === 0) {
      for (const check of batch) check.resolve(this.inline(check.message, check.signature, check.publicKey));
      return;
    }
    const id = this.nextBatch++;
    const worker = this.worker();
    this.inFlight.set(id, { batch, worker });
    this.pending.set(worker, (this.pending.get(worker) ?? 0) + 1);
    worker.ref(); // a batch is out: the process waits for it
    worker.postMessage({ id, messages: batch.map((c) => c.message), signatures: batch.map((c) => c.signature), keys: batch.map((c) => c.publicKey) });
  }

  /** The next worker in turn: all were started with the pool, and one that died is gone from the list. */
  private worker(): Worker {
    return this.workers[this.nextWorker++ % this.workers.length];
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodium: this.sodiumPath } });
    worker.unref();
    this.starting.push(
      new Promise<void>((up) => {
        worker.once('message', () => up());
        worker.once('error', () => up());
        worker.once('exit', () => up());
      }),
    );
    worker.on('message', (reply: { ready: true } | { id: number; results: Uint8Array }) => {
      if ('ready' in reply) return;
      const { id, results } = reply;
      const out = this.inFlight.get(id);
      this.inFlight.delete(id);
      const left = (this.pending.get(worker) ?? 1) - 1;
      this.pending.set(worker, left);
      if (left === 0) worker.unref();
      out?.batch.forEach((check, i) => check.resolve(results[i] === 1));
    });
    worker.on('error', () => this.fail(worker));
    worker.on('exit', () => this.fail(worker));
    this.workers.push(worker);
    return worker;
  }

  /** A worker that died: its batches (and every later one) are verified inline. Never a false verdict. */
  private fail(worker: Worker): void {
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    this.workers.splice(index, 1);
    this.pending.delete(worker);
    this.broken = true;
    for (const [id, out] of this.inFlight) {
      if (out.worker !== worker) continue;
      this.inFlight.delete(id);
      for (const check of out.batch) check.resolve(this.inline(check.message, check.signature, check.publicKey));
    }
  }
}
