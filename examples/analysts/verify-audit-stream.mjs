#!/usr/bin/env node
// Verifies the audit's stream (topic audit.recorded) from the wire contract alone: every
// workspace's chain (positions without a gap, each hash recomputed, each prev_hash the hash
// before it) and every message's Ed25519 signature against the audit service's JWKS. Plain
// Node (node:crypto) and the `canonicalize` package (RFC 8785); nothing of hitl.
//
//   kcat -C -b 127.0.0.1:9092 -t audit.recorded -o beginning -e -f '%k\t%s\n' \
//     | node examples/analysts/verify-audit-stream.mjs --jwks http://127.0.0.1:3003/keys --workspace acme-support
//
// Input: one message a line, `<key>\t<value>` (kcat's `-f '%k\t%s\n'`), or the value alone.
// --jwks: the audit's public keys, a file or a URL (the audit's GET /keys). --workspace: only
// that workspace's chain (the Kafka key); without it, every workspace in the input.
// --from-genesis: each chain must start at position 1 (else a chain may start later, where
// retention of the topic or of the record left it, taking the first prev_hash as given).
// Exit 0: everything verified; 1: a problem (each one printed); 2: bad usage.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import canonicalize from 'canonicalize';

const TYPE = 'hitl.audit.recorded.v1';
const GENESIS = `sha256:${'0'.repeat(64)}`;
const NAMESPACE = '78938306-bba7-4796-a505-90e189eb034c';

function usage(message) {
  process.stderr.write(`${message}\nusage: verify-audit-stream.mjs --jwks <file|url> [--workspace <id>] [--from-genesis] < kcat-output\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { jwks: undefined, workspace: undefined, fromGenesis: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--jwks') args.jwks = argv[++i];
    else if (arg === '--workspace') args.workspace = argv[++i];
    else if (arg === '--from-genesis') args.fromGenesis = true;
    else usage(`unknown argument ${arg}`);
  }
  if (!args.jwks) usage('--jwks is required');
  return args;
}

/** The contract's record id: UUIDv5 (RFC 9562) in the audit's namespace of `<workspace>:<position>`. */
export function recordId(workspace, position) {
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

/** The contract's chain formula: sha256 over the canonical JSON of the record, its position as chain_index, and prev_hash. */
export function recordHash(prevHash, position, record) {
  const canonical = canonicalize({ ...record, chain_index: position, prev_hash: prevHash });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

/** The JWKS's Ed25519 keys by key id (`kid`, else the RFC 7638 thumbprint). */
export function keysOf(jwks) {
  const keys = new Map();
  for (const jwk of jwks.keys ?? []) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') continue;
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }), 'utf8')
      .digest('base64url');
    keys.set(jwk.kid ?? thumbprint, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
  }
  return keys;
}

/** Whether the event's `sig` verifies: Ed25519 over the canonical JSON of the event without `sig`. */
function signatureProblem(event, keys) {
  if (typeof event.sig !== 'string' || typeof event.sigkid !== 'string') return 'unsigned (no sigkid and sig)';
  const key = keys.get(event.sigkid);
  if (!key) return `signed with key ${event.sigkid}, which is not in the audit's JWKS`;
  const { sig, ...signed } = event;
  return verify(null, Buffer.from(canonicalize(signed), 'utf8'), key, Buffer.from(sig, 'base64url')) ? null : 'the signature does not verify';
}

/**
 * Checks messages (`{ key, value }`, value the JSON text) against the contract; returns each
 * chain's summary and every problem found. Duplicates (a re-publish: same id, same bytes) are skipped.
 */
export function verifyStream(messages, keys, { workspace, fromGenesis = false } = {}) {
  const problems = [];
  const chains = new Map();
  const seen = new Map();
  let duplicates = 0;
  for (const [n, message] of messages.entries()) {
    const at = `message ${n + 1}`;
    if (workspace !== undefined && message.key !== null && message.key !== workspace) continue;
    let event;
    try {
      event = JSON.parse(message.value);
    } catch {
      problems.push(`${at}: not JSON`);
      continue;
    }
    const data = event.data ?? {};
    if (workspace !== undefined && data.workspace !== workspace) continue;
    const where = `${data.workspace} position ${data.position}`;
    if (event.type !== TYPE) {
      problems.push(`${at}: type ${event.type}, not ${TYPE}`);
      continue;
    }
    const before = seen.get(event.id);
    if (before !== undefined) {
      if (before !== canonicalize(event)) problems.push(`${where}: id ${event.id} seen before with other content`);
      duplicates += 1;
      continue;
    }
    seen.set(event.id, canonicalize(event));
    const signature = signatureProblem(event, keys);
    if (signature) problems.push(`${where}: ${signature}`);
    if (message.key !== null && message.key !== data.workspace) problems.push(`${where}: Kafka key ${message.key} is not the workspace`);
    if (event.workspaceid !== data.workspace || data.record?.workspace !== data.workspace)
      problems.push(`${where}: workspace differs between envelope, data and record`);
    if (!Number.isInteger(data.position) || data.position < 1) {
      problems.push(`${at}: position ${data.position} is not a whole number from 1`);
      continue;
    }
    const id = recordId(data.workspace, data.position);
    if (event.id !== id || event.subject !== id || data.record_id !== id) problems.push(`${where}: id, subject and record_id must be ${id}`);
    if (recordHash(data.prev_hash, data.position, data.record) !== data.hash) problems.push(`${where}: the hash does not match the record`);
    const chain = chains.get(data.workspace) ?? { first: data.position, last: null, head: null, records: 0 };
    chains.set(data.workspace, chain);
    if (chain.last === null) {
      if (data.position === 1 && data.prev_hash !== GENESIS) problems.push(`${where}: the first record's prev_hash is not the genesis hash`);
      if (data.position !== 1 && fromGenesis) problems.push(`${where}: the chain starts at position ${data.position}, not 1`);
    } else {
      if (data.position !== chain.last + 1)
        problems.push(`${where}: follows position ${chain.last} (${data.position > chain.last ? 'a record is missing' : 'out of order'})`);
      if (data.prev_hash !== chain.head) problems.push(`${where}: prev_hash is not the hash of the record before it`);
    }
    chain.last = data.position;
    chain.head = data.hash;
    chain.records += 1;
  }
  return { chains, problems, duplicates };
}

async function readJwks(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(source, 'utf8'));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const keys = keysOf(await readJwks(args.jwks));
  if (keys.size === 0) usage(`${args.jwks} holds no Ed25519 key`);
  const messages = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const tab = line.indexOf('\t');
    // kcat prints an absent key as an empty one.
    messages.push(tab < 0 ? { key: null, value: line } : { key: line.slice(0, tab) || null, value: line.slice(tab + 1) });
  }
  const { chains, problems, duplicates } = verifyStream(messages, keys, { workspace: args.workspace, fromGenesis: args.fromGenesis });
  for (const [workspace, chain] of chains) {
    const start = chain.first === 1 ? '' : ` (starts at ${chain.first}: earlier records are not in the input)`;
    process.stdout.write(`${workspace}: ${chain.records} records, positions ${chain.first}-${chain.last}${start}, head ${chain.head}\n`);
  }
  if (duplicates > 0) process.stdout.write(`${duplicates} duplicate message(s) skipped (same id, same content)\n`);
  if (chains.size === 0) problems.push(args.workspace ? `no record of workspace ${args.workspace} in the input` : 'no record in the input');
  for (const problem of problems) process.stderr.write(`PROBLEM ${problem}\n`);
  process.stdout.write(problems.length === 0 ? 'OK: every chain intact, every signature verified\n' : `FAILED: ${problems.length} problem(s)\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  });
}
