import { PayloadHash, Uuid } from '@hitl/contracts';
import { z } from 'zod';

// What a reviewer sends to decide (approve, deny, edit). Strict: an unknown field is a 400 naming it. The
// reviewer's identity is never in a body: it comes from their token.
const Notes = z.string().max(5_000).nullable().optional();

/** What a reviewer writes for someone else to read (a question, a reason): trimmed, never blank. */
export const ReviewerText = (notText: string, description: string) =>
  z.string({ error: notText }).trim().min(1, { error: 'must not be blank' }).max(4000, { error: 'must be at most 4000 characters' }).describe(description);
const ChosenOption = z.string().min(1).max(200).nullable().optional();

export const ApproveBody = z.strictObject({ payload_hash: PayloadHash, notes: Notes, chosen_option: ChosenOption });
export const DenyBody = z.strictObject({
  reason: z.string().trim().min(1, { error: 'a denial needs a reason' }).max(5_000),
  payload_hash: PayloadHash.optional(),
  notes: Notes,
});
export const EditBody = z.strictObject({
  payload_hash: PayloadHash,
  parameters: z.record(z.string(), z.unknown()),
  notes: Notes,
  chosen_option: ChosenOption,
});

export const BatchItem = z.discriminatedUnion('act', [
  ApproveBody.extend({ act: z.literal('approve'), approval_id: Uuid }),
  DenyBody.extend({ act: z.literal('deny'), approval_id: Uuid }),
  EditBody.extend({ act: z.literal('edit'), approval_id: Uuid }),
]);
export const BatchBody = z.strictObject({ items: z.array(BatchItem).min(1).max(200) });

export type ReviewAct =
  ({ act: 'approve' } & z.output<typeof ApproveBody>) | ({ act: 'deny' } & z.output<typeof DenyBody>) | ({ act: 'edit' } & z.output<typeof EditBody>);
