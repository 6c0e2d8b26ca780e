import { z } from 'zod';
import { NonEmpty, Timestamp, Uuid } from './primitives';

/** The CloudEvents 1.0 structured-mode envelope, before its `type` and `data` are known. */
export const Envelope = z.looseObject({
  specversion: z.literal('1.0'),
  id: Uuid,
  source: NonEmpty,
  type: NonEmpty,
  time: Timestamp,
  subject: Uuid,
  datacontenttype: z.literal('application/json'),
  workspaceid: NonEmpty,
  data: z.looseObject({}),
  /** Signatures (see the wire contract): the key id, and Ed25519 over the canonical event without `sig`. */
  sigkid: NonEmpty.optional(),
  sig: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/, { error: 'must be 86 base64url characters (a 64-byte Ed25519 signature)' })
    .optional(),
});
export type Envelope = z.infer<typeof Envelope>;

/**
 * The field of `data` an event's `subject` names: the decision it is about, or, for a change
 * of the reviewer directory (about no decision), the change, and for a control, the pause or the probation, and for a handoff, the handoff;
 * for the audit's stream, the record.
 */
export type SubjectField = 'decision_id' | 'change_id' | 'pause_id' | 'probation_id' | 'handoff_id' | 'record_id';

/** The envelope schema of one event type, with its data schema in place. */
export function envelopeOf<TType extends string, TData extends z.ZodType<object>>(type: TType, data: TData, subject: SubjectField = 'decision_id') {
  return Envelope.extend({ type: z.literal(type), data }).refine((e) => e.subject === (e.data as Record<string, unknown>)[subject], {
    message: `subject must equal data.${subject}`,
    path: ['subject'],
  });
}
