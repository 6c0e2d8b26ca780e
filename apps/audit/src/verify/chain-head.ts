// A chain head signed by the audit, to prove later that the log only grew. Pure: keys,
// times and what the database holds are inputs.
import { KeyObject, sign, verify } from 'node:crypto';
import { Break, ChainHead, GENESIS } from '@hitl/audit-trail';
import { canonicalJson } from '@hitl/contracts';
import { z } from 'zod';

export interface UnsignedHead {
  workspace: string;
  chain_index: number;
  hash: string;
  exported_at: string;
}

export interface SignedHead extends UnsignedHead {
  /** Ed25519 over the canonical JSON (RFC 8785) of the other fields and `kind: "hitl.audit.head.v1"`, base64. */
  signature: string;
}

export const SignedHeadBody = z.strictObject({
  workspace: z.string().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
  chain_index: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" and 64 lowercase hex digits' }),
  exported_at: z.string().min(1, { error: 'must not be blank' }).max(100, { error: 'must be at most 100 characters' }),
  signature: z.string().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
});

/** POST /audit/head/check body. */
export const HeadCheckBody = z.strictObject({ head: SignedHeadBody });
export type HeadCheckRequest = z.output<typeof HeadCheckBody>;

function message(head: UnsignedHead): Buffer {
  const { workspace, chain_index, hash, exported_at } = head;
  return Buffer.from(canonicalJson({ kind: 'hitl.audit.head.v1', workspace, chain_index, hash, exported_at }), 'utf8');
}

export function signHead(head: UnsignedHead, key: KeyObject): SignedHead {
  const { workspace, chain_index, hash, exported_at } = head;
  return { workspace, chain_index, hash, exported_at, signature: sign(null, message(head), key).toString('base64') };
}

export function headSignatureValid(head: SignedHead, publicKey: KeyObject): boolean {
  try {
    return verify(null, message(head), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** What the database holds now, for one head's check. */
export interface ChainFacts {
  /** The hash of the row at the head's chain index, if the row is there. */
  rowHash: string | null;
  /** Where the chain starts after retention, if it removed rows. */
  checkpoint: ChainHead | null;
  /** The chain verified from its start to now: its last good link, or its first break. */
  verified: { head: ChainHead; first_break: Break | null };
}

export interface HeadCheck {
  ok: boolean;
  reason: string;
}

/** Whether the record still holds what `head` saw, and only grew since: the hash at its index unchanged and the whole chain intact. */
export function checkHead(head: UnsignedHead, facts: ChainFacts): HeadCheck {
  const { verified, checkpoint } = facts;
  const at = `chain index ${head.chain_index} of ${head.workspace}`;
  if (verified.first_break) {
    const b = verified.first_break;
    return { ok: false, reason: `the chain is broken at chain index ${b.chain_index} (event ${b.event_id}): ${b.reason}` };
  }
  if (head.chain_index > verified.head.chain_index)
    return { ok: false, reason: `the chain now ends at chain index ${verified.head.chain_index}, before ${at}: rows were removed from its end` };
  const held = facts.rowHash ?? (checkpoint?.chain_index === head.chain_index ? checkpoint.hash : null) ?? (head.chain_index === 0 ? GENESIS : null);
  if (held === null) {
    if (checkpoint && checkpoint.chain_index > head.chain_index) {
      return {
        ok: false,
        reason: `retention removed the rows through chain index ${checkpoint.chain_index}, so ${at} can no longer be compared: export a new head`,
      };
    }
    return { ok: false, reason: `there is no row at ${at}` };
  }
  if (held !== head.hash) return { ok: false, reason: `${at} now has another hash: the record was rewritten` };
  return { ok: true, reason: `${at} still has this hash and the chain verifies through chain index ${verified.head.chain_index}: the record only grew` };
}
