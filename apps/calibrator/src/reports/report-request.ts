// What the reports API accepts, as zod schemas (parsed and documented from the same
// schema), and who may ask for which scope. Pure.
import { z } from 'zod';
import { Auditor, canRead, invalidRequest, readsEveryWorkspace, wrongWorkspace } from '@hitl/service-kit';

const WORKSPACE = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/, { error: 'must be a workspace id' });

export const CreateReportBody = z.strictObject({
  window_days: z
    .int({ error: 'must be a whole number of days from 1 to 365' })
    .min(1, { error: 'must be a whole number of days from 1 to 365' })
    .max(365, { error: 'must be a whole number of days from 1 to 365' })
    .optional(),
  workspace: WORKSPACE.optional().describe('One workspace; without it, every workspace (auditors of "*") or the only one you read.'),
});
export type CreateReportRequest = z.output<typeof CreateReportBody>;

export const ListReportsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'must be a whole number from 1 to 100' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, { error: 'must be a whole number from 1 to 100' })
    .optional()
    .describe('At most this many, newest first (default 20).'),
  workspace: WORKSPACE.optional().describe("One workspace's reports; without it, every report you may read."),
});
export type ListReportsParams = z.output<typeof ListReportsQuery>;

export const FORMATS = ['json', 'md'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const FormatQuery = z.strictObject({
  format: z.enum(FORMATS, { error: 'must be json or md' }).optional().describe('md: the report as Markdown (as GET /reports/{id}.md).'),
});

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** `<id>`, `<id>.json` or `<id>.md`. */
export const ReportRef = z
  .string()
  .regex(new RegExp(`^${UUID}(\\.(json|md))?$`), { error: 'must be a report id (a UUID), optionally followed by .md or .json' })
  .transform((ref) => {
    const [id, ext] = ref.split('.');
    return { id: id.toLowerCase(), format: (ext ?? null) as ReportFormat | null };
  });

export const ReportId = z
  .string()
  .regex(new RegExp(`^${UUID}$`), { error: 'must be a report id (a UUID)' })
  .transform((id) => id.toLowerCase());

/** `<action>.svg`: the action's reliability diagram. */
export const DiagramFile = z
  .string()
  .regex(/^.+\.svg$/, { error: 'must be <action>.svg' })
  .transform((file) => file.slice(0, -'.svg'.length));

/** The format asked for: by the extension or ?format= (400 when they disagree), JSON by default. */
export function formatOf(extension: ReportFormat | null, query: ReportFormat | undefined): ReportFormat {
  if (extension !== null && query !== undefined && extension !== query)
    throw invalidRequest('query', [{ field: 'format', message: `is ${query}, but the path asks for .${extension}` }]);
  return extension ?? query ?? 'json';
}

/**
 * The scope of a report an auditor asks for: the workspace named (403 unless they read
 * it); else every workspace for auditors of "*"; else their only workspace; else 400.
 */
export function requestedScope(auditor: Auditor, workspace: string | undefined): string | null {
  if (workspace !== undefined) {
    if (!canRead(auditor, workspace)) throw wrongWorkspace(workspace);
    return workspace;
  }
  if (readsEveryWorkspace(auditor)) return null;
  if (auditor.workspaces.length === 1) return auditor.workspaces[0];
  throw invalidRequest('body', [{ field: 'workspace', message: 'is required: you read more than one workspace, so name one' }]);
}

/** The reports a listing shows: those of the workspace named (403 unless readable), else all the auditor may read. */
export function listingScope(auditor: Auditor, workspace: string | undefined): '*' | string[] {
  if (workspace !== undefined) {
    if (!canRead(auditor, workspace)) throw wrongWorkspace(workspace);
    return [workspace];
  }
  return readsEveryWorkspace(auditor) ? '*' : [...auditor.workspaces];
}
