// Figure 7, what signatures cost: microseconds per event to sign (what the router and the
// escalation service add to each event they emit) and to verify (what every consumer adds to
// each event it reads), beside decoding the same event against the contract, which every
// consumer already did before signatures. In one process, no broker: CPU per event only.
import { performance } from 'node:perf_hooks';
import {
  APPROVAL_RESOLVED,
  Ed25519Backend,
  Keyring,
  decodeEvent,
  ed25519Backend,
  exampleEvent,
  generateSigningKey,
  signEvent,
  topicOf,
  useEd25519Backend,
} from '@hitl/contracts';
import { FigureResult, runStandalone } from './support/figure';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

/** Mean microseconds of `work` over `n` calls, after a warm-up of a tenth as many. */
function microsPerCall(n: number, work: (i: number) => unknown): number {
  for (let i = 0; i < Math.max(100, n / 10); i++) work(i);
  const started = performance.now();
  for (let i = 0; i < n; i++) work(i);
  return ((performance.now() - started) * 1000) / n;
}

/** Microseconds to sign and to verify one event with `backend`: the contract's example approval.resolved, signed by a router key. */
export function signingMicros(
  n: number,
  backend: Ed25519Backend = ed25519Backend(),
): { backend: Ed25519Backend; sign: number; verify: number; decode: number; bytes: number } {
  const router = generateSigningKey();
  const keyring = new Keyring({ services: { router: { keys: [router.jwk] } } });
  const event = exampleEvent(APPROVAL_RESOLVED);
  event.data.resolved_by = { kind: 'policy', id: 'bench-manifest' };
  const topic = topicOf(event.type);
  const unsignedBytes = Buffer.from(JSON.stringify(event));
  const signedBytes = Buffer.from(JSON.stringify(signEvent(event, router.key)));
  const decode = microsPerCall(n, () => decodeEvent(topic, unsignedBytes));
  useEd25519Backend(backend);
  try {
    const sign = microsPerCall(n, () => signEvent(event, router.key));
    const verify = microsPerCall(n, () => {
      const decoded = decodeEvent(topic, signedBytes);
      if (!decoded.ok) throw new Error(decoded.violation.message);
      const verdict = keyring.verify(decoded.raw, decoded.event);
      if (!verdict.ok) throw new Error(verdict.reason);
    });
    return { backend, sign, verify: verify - decode, decode, bytes: signedBytes.length };
  } finally {
    useEd25519Backend(undefined); // back to the fastest there is, as the services run
  }
}

/** signingMicros with the fastest backend, the best of `rounds` rounds: what the contract costs at the least, on a quiet machine. */
export function bestSigningMicros(n: number, rounds = 3): { backend: Ed25519Backend; sign: number; verify: number } {
  const measured = Array.from({ length: rounds }, () => signingMicros(n));
  return { backend: measured[0].backend, sign: Math.min(...measured.map((m) => m.sign)), verify: Math.min(...measured.map((m) => m.verify)) };
}

export async function signatureCost(size: Size): Promise<FigureResult> {
  // As many operations as the routing figure routes decisions, at least 5,000.
  const n = Math.max(5_000, SIZE_TABLE[size].routedDecisions);
  const fastest = ed25519Backend();
  const measured = [signingMicros(n, 'openssl'), ...(fastest === 'libsodium' ? [signingMicros(n, 'libsodium')] : [])];
  const { decode, bytes } = measured[0];
  const used = measured.find((m) => m.backend === fastest) ?? measured[0];
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    title: 'Figure 7: what signing and verifying cost per event',
    table: formatTable(
      ['operation', 'Ed25519 by', 'µs per event', 'vs decoding the event'],
      [
        ['decode against the contract (baseline, done before signatures too)', '-', round(decode), '1.00'],
        ...measured.flatMap((m) => [
          ['sign (canonical JSON + Ed25519), per event emitted', m.backend, round(m.sign), (m.sign / decode).toFixed(2)],
          ['verify (canonical JSON + Ed25519 + who-signs-what), per event read', m.backend, round(m.verify), (m.verify / decode).toFixed(2)],
        ]),
      ],
    ),
    notes: [
      `${n} calls each on one core, after a warm-up; the event is the contract's example approval.resolved (${bytes} bytes signed). The services use ${fastest}${fastest === 'libsodium' ? ' (sodium-native, an optional dependency; OpenSSL where it does not install)' : ''}.`,
      'A routed decision costs the router one verify (the proposal) and one or two signs (its outcome events); compare with the router CPU per decision of figure 1.',
    ],
    ratios: {
      'sign / decode': (used.sign / decode).toFixed(2),
      'verify / decode': (used.verify / decode).toFixed(2),
      [`sign + verify, µs per event (${fastest})`]: round(used.sign + used.verify).toString(),
    },
    peakRss: [],
    targetMet: null,
  };
}

if (require.main === module) runStandalone(signatureCost);
