// What a reviewer is, as the reviewers file and the admin API write it. Objects are
// strict: a misspelt key is an error naming it, never a silently ignored setting.
import { HttpUrl } from '@hitl/service-kit';
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;

export const ReviewerId = z
  .string()
  .max(100, { error: 'must be at most 100 characters' })
  .regex(NAME, { error: 'must be letters, digits and _ . : @ -, starting with a letter or digit' });

const distinct = (list: string[]) => new Set(list).size === list.length;
const distinctIgnoringCase = (list: string[]) => distinct(list.map((item) => item.toLowerCase()));

/** Another name of the person: an e-mail address, an external id. Compared ignoring case. */
const Alias = z
  .string()
  .trim()
  .min(1, { error: 'must not be blank' })
  .max(320, { error: 'must be at most 320 characters' })
  .regex(/^[^\s\p{Cc}]*$/u, { error: 'must be one name without spaces, e.g. an e-mail address or an external id' });
const CAPACITY = 'must be a whole number of at least 1, or null for no limit';

/** Every field of a reviewer that the file and the admin API set, without defaults (PATCH). */
const fields = {
  name: z.string().trim().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' }),
  /** Roles of the manifests' escalation paths; admins and auditors may have none. */
  roles: z.array(z.string().regex(NAME, { error: 'must be letters, digits and _ . : @ -' })).refine(distinct, { error: 'lists a role twice' }),
  workspaces: z
    .array(z.string().refine((w) => w === '*' || NAME.test(w), { error: 'must be a workspace id or "*" (every workspace)' }))
    .min(1, { error: 'must list at least one workspace, or "*" for every workspace' })
    .refine(distinct, { error: 'lists a workspace twice' }),
  available: z.boolean(),
  /** Most pending approvals at once; null is no limit (to stop assigning, set available: false). */
  capacity: z.number({ error: CAPACITY }).int({ error: CAPACITY }).min(1, { error: CAPACITY }).nullable(),
  admin: z.boolean(),
  auditor: z.boolean(),
  /** Other names of the person (e-mail addresses, external ids): an action on behalf of any of them is never theirs to approve. */
  aliases: z.array(Alias).max(20, { error: 'must list at most 20 aliases' }).refine(distinctIgnoringCase, { error: 'lists an alias twice (ignoring case)' }),
  /** The reviewer's own channel: the only place one-click links are sent. Null: none (they decide in the console). */
  notify: z.strictObject({ webhook: HttpUrl }).nullable(),
};

/** A whole reviewer (PUT, and each entry of the file): omitted optional fields take their defaults. */
export const ReviewerFields = z.strictObject({
  ...fields,
  available: fields.available.default(true),
  capacity: fields.capacity.default(null),
  admin: fields.admin.default(false),
  auditor: fields.auditor.default(false),
  // Omitted: none (read as [] and null where the directory keeps them).
  aliases: fields.aliases.optional(),
  notify: fields.notify.optional(),
});
export type ReviewerFields = z.output<typeof ReviewerFields>;

/** Some fields of a reviewer (PATCH): what is omitted stays as it is. */
export const ReviewerPatch = z
  .strictObject(fields)
  .partial()
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), { error: `must set at least one of ${Object.keys(fields).join(', ')}` });
export type ReviewerPatch = z.output<typeof ReviewerPatch>;
