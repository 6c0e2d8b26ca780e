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
  /** Most pending approvals at once; null means no limit. */
  capacity: z.number().int().nullable(),
  admin: z.boolean(),
  auditor: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Me = z.infer<typeof Me>;
