// Ed25519 itself. libsodium (the optional `sodium-native` package) where it loads: on the
// machines measured it signs and verifies about twice as fast as OpenSSL (docs/benchmarks.md,
// figure 7). node:crypto (OpenSSL) otherwise. Ed25519 is deterministic: both give the same
// signature for the same key and bytes, and each verifies the other's.
import { KeyObject, createPublicKey, sign as openSslSign, verify as openSslVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import { VerifyThreads } from './verify-threads';

interface Sodium {
  crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

export type Ed25519Backend = 'libsodium' | 'openssl';

let sodium: Sodium | null | undefined;
let chosen: Ed25519Backend | undefined;

function libsodium(): Sodium | null {
  if (chosen === 'openssl') return null;
  if (sodium === undefined) {
    try {
      sodium = createRequire(__filename)('sodium-native') as Sodium;
    } catch {
      sodium = null; // not installed for this platform: OpenSSL does it
    }
  }
  return sodium;
}

/** Which implementation signs and verifies in this process. */
export function ed25519Backend(): Ed25519Backend {
  return libsodium() ? 'libsodium' : 'openssl';
}

/** Forces one implementation (benchmarks and tests compare them); `undefined`: the fastest there is. */
export function useEd25519Backend(backend: Ed25519Backend | undefined): void {
  chosen = backend;
}

// libsodium wants raw key bytes: the 32-byte public key, and the seed followed by it as the secret key.
const publicBytes = new WeakMap<KeyObject, Buffer>();
const secretBytes = new WeakMap<KeyObject, Buffer>();

function rawPublicKey(key: KeyObject): Buffer {
  let raw = publicBytes.get(key);
  if (!raw) {
    const { x } = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' }) as { x: string };
    raw = Buffer.from(x, 'base64url');
    publicBytes.set(key, raw);
  }
  return raw;
}

function rawSecretKey(key: KeyObject): Buffer {
  let raw = secretBytes.get(key);
  if (!raw) {
    const { d, x } = key.export({ format: 'jwk' }) as { d: string; x: string };
    raw = Buffer.concat([Buffer.from(d, 'base64url'), Buffer.from(x, 'base64url')]);
    secretBytes.set(key, raw);
  }
  return raw;
}

export function ed25519Sign(message: Buffer, privateKey: KeyObject): Buffer {
  const fast = libsodium();
  if (!fast) return openSslSign(null, message, privateKey);
  const signature = Buffer.alloc(64);
  fast.crypto_sign_detached(signature, message, rawSecretKey(privateKey));
  return signature;
}

export function ed25519Verify(message: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  if (signature.length !== 64) return false;
  const fast = libsodium();
  if (fast) return sodiumVerify(fast, message, signature, () => rawPublicKey(publicKey));
  try {
    return openSslVerify(null, message, publicKey, signature);
  } catch {
    return false; // a key that is no Ed25519 key verifies nothing
  }
}

/** libsodium's check; never throws: a key that is no Ed25519 key verifies nothing. */
function sodiumVerify(fast: Sodium, message: Buffer, signature: Buffer, publicKey: () => Buffer): boolean {
  try {
    return fast.crypto_sign_verify_detached(signature, message, publicKey());
  } catch {
    return false;
  }
}

let threads: VerifyThreads | null = null;

/**
 * Verifies the chunks of `ed25519VerifyAsync` on `count` worker threads (libsodium there
 * too); 0: on the main thread. A service sets it at start (SIGNATURE_VERIFY_THREADS).
 */
export function useVerifyThreads(count: number): void {
  void threads?.close();
  threads = null;
  const fast = libsodium();
  if (count <= 0 || !fast) return;
  const inline = (message: Buffer, signature: Buffer, publicKey: Buffer) => sodiumVerify(fast, message, signature, () => publicKey);
  threads = new VerifyThreads(count, createRequire(__filename).resolve('sodium-native'), inline);
}

/**
 * Verification for a chunk of events at once: on worker threads when the service has them
 * (useVerifyThreads), else with OpenSSL on libuv's pool, else libsodium on the main thread.
 */
export function ed25519VerifyAsync(message: Buffer, signature: Buffer, publicKey: KeyObject): Promise<boolean> {
  if (signature.length !== 64) return Promise.resolve(false);
  if (libsodium()) {
    if (!threads) return Promise.resolve(ed25519Verify(message, signature, publicKey));
    let key: Buffer;
    try {
      key = rawPublicKey(publicKey);
    } catch {
      return Promise.resolve(false); // a key that is no Ed25519 key verifies nothing
    }
    return threads.verify(message, signature, key);
  }
  return new Promise((resolve) => openSslVerify(null, message, publicKey, signature, (error, ok) => resolve(!error && ok)));
}
