import { z } from 'zod';

// Building blocks shared by the event schemas.
export const Uuid = z.uuid();
export const Timestamp = z.iso.datetime({ offset: true });
export const NonEmpty = z.string().min(1);
export const Parameters = z.record(z.string(), z.unknown());
export const PayloadHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits');

export const Reason = z.looseObject({ rule: NonEmpty, detail: z.string() });
export const Reasons = z.array(Reason);
export type Reason = z.infer<typeof Reason>;

export const Urgency = z.enum(['low', 'normal', 'high', 'critical']);
export type Urgency = z.infer<typeof Urgency>;
export const DEFAULT_URGENCY: Urgency = 'normal';

export const OnTimeout = z.enum(['deny', 'escalate', 'approve']);
export type OnTimeout = z.infer<typeof OnTimeout>;
