// GET /me: the caller's own profile (never its token hash).
import { z } from 'zod';
import { Timestamp } from './values';

export const Me = z.object({
  id: z.string(),
  name: z.string(),
  /** Roles of the manifests' escalation paths, e.g. `support_agent`. */
  roles: z.array(z.string()),
  /** Workspace ids; `*` means every workspace. */
  workspaces: z.array(z.string()),
  available: z.boolean(),
  /** Their own capacity: the most open approvals at once; null: none set, so the service's default applies (`effective_capacity`). */
  capacity: z.number().int().nullable(),
  /** What assignment honours: `capacity`, or the service's default when none is set. Blocking work fills it first; post-reviews only what it leaves. */
  effective_capacity: z.number().int(),
  admin: z.boolean(),
  auditor: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Me = z.infer<typeof Me>;
