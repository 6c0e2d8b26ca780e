// A consumer of audit.recorded written from the wire contract alone (libs/contracts/README.md,
// "The audit's stream"): plain kafkajs, node:crypto and the `canonicalize` package (RFC 8785).
// Nothing of hitl is imported here, on purpose: what it checks, any analyst can.
import { KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Kafka } from 'kafkajs';

export const GENESIS = `sha256:${'0'.repeat(64)}`;
const NAMESPACE = '78938306-bba7-4796-a505-90e189eb034c';

/** One message as it came off the topic: its key, its value's bytes, and the value parsed. */
export interface StreamMessage {
  key: string | null;
  bytes: Buffer;
  headers: Record<string, string>;
  event: {
    id: string;
    type: string;
    subject: string;
    workspaceid: string;
    sigkid?: string;
    sig?: string;
    data: {
      record_id: string;
      workspace: string;
      position: number;
      prev_hash: string;
      hash: string;
      record: Record<string, unknown> & { workspace: string; event_id: string };
      event_id: string;
      event_type: string;
      verified: boolean | null;
      signer: string | null;
      refusal: string | null;
    };
  };
}

/** Reads `topic` from the beginning in a group of its own until `done(messages)` holds (or the time is up). */
export async function readStream(kafka: Kafka, topic: string, done: (messages: StreamMessage[]) => boolean, timeoutMs = 60_000): Promise<StreamMessage[]> {
  const messages: StreamMessage[] = [];
  const consumer = kafka.consumer({ groupId: `analyst-${Date.now()}-${Math.random().toString(16).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const bytes = message.value ?? Buffer.alloc(0);
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        messages.push({ key: message.key?.toString('utf8') ?? null, bytes, headers, event: JSON.parse(bytes.toString('utf8')) });
        if (done(messages)) finish();
      },
    });
    const timer = setTimeout(finish, timeoutMs);
    await finished;
    clearTimeout(timer);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** The contract's record id: UUIDv5 in the audit's namespace of `<workspace>:<position>`. */
export function recordId(workspace: string, position: number): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${workspace}:${position}`, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The contract's chain formula. */
export function recordHash(prevHash: string, position: number, record: Record<string, unknown>): string {
  const canonical = canonicalize({ ...record, chain_index: position, prev_hash: prevHash }) ?? '';
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

/** The Ed25519 keys of a JWKS by key id (`kid`, else the RFC 7638 thumbprint). */
export function jwksKeys(jwks: { keys: { kty: string; crv: string; x: string; kid?: string }[] }): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks.keys) {
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }), 'utf8')
      .digest('base64url');
    keys.set(jwk.kid ?? thumbprint, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
  }
  return keys;
}

/** Whether the message's signature verifies: Ed25519 over the canonical JSON of the event as received, without `sig`. */
export function signatureVerifies(message: StreamMessage, keys: Map<string, KeyObject>): boolean {
  const received = JSON.parse(message.bytes.toString('utf8')) as Record<string, unknown>;
  const { sig, ...signed } = received;
  const key = typeof received.sigkid === 'string' ? keys.get(received.sigkid) : undefined;
  if (!key || typeof sig !== 'string') return false;
  return verify(null, Buffer.from(canonicalize(signed) ?? '', 'utf8'), key, Buffer.from(sig, 'base64url'));
}

/** Every problem of one workspace's messages, in the order they were read: empty when the chain is whole and intact. */
export function chainProblems(messages: readonly StreamMessage[], workspace: string, keys: Map<string, KeyObject>): string[] {
  const problems: string[] = [];
  let prev = GENESIS;
  for (const [i, message] of messages.entries()) {
    const { event } = message;
    const { data } = event;
    const at = `${workspace} #${i + 1} (position ${data.position})`;
    if (event.type !== 'hitl.audit.recorded.v1') problems.push(`${at}: type ${event.type}`);
    if (message.key !== workspace || event.workspaceid !== workspace || data.workspace !== workspace || data.record.workspace !== workspace)
      problems.push(`${at}: not keyed by and about its workspace`);
    if (data.position !== i + 1) problems.push(`${at}: expected position ${i + 1}`);
    const id = recordId(workspace, data.position);
    if (event.id !== id || event.subject !== id || data.record_id !== id) problems.push(`${at}: id, subject and record_id are not ${id}`);
    if (data.prev_hash !== prev) problems.push(`${at}: prev_hash is not the hash before it`);
    if (recordHash(data.prev_hash, data.position, data.record) !== data.hash) problems.push(`${at}: hash does not match the record`);
    if (!signatureVerifies(message, keys)) problems.push(`${at}: the audit's signature does not verify`);
    prev = data.hash;
  }
  return problems;
}
