import { invalidRequest } from '../http/zod.pipe';
import { Auditor, canRead, onlyWorkspace, readsEveryWorkspace } from './auditor';
import { wrongWorkspace } from './auditors.errors';

/**
 * The one workspace a request reads: the one it names (403 unless the auditor may read
 * it), else the auditor's only workspace, else 400 asking for `workspace`.
 */
export function scopedWorkspace(auditor: Auditor, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!canRead(auditor, requested)) throw wrongWorkspace(requested);
    return requested;
  }
  const only = onlyWorkspace(auditor);
  if (only !== null) return only;
  throw invalidRequest('query', [{ field: 'workspace', message: 'is required: you may read more than one workspace, so name one' }]);
}

/** The workspaces a request reads: the one it names, else all of the auditor's (`all` for "*"). */
export function scopedWorkspaces(auditor: Auditor, requested: string | undefined): string[] | 'all' {
  if (requested !== undefined) return [scopedWorkspace(auditor, requested)];
  return readsEveryWorkspace(auditor) ? 'all' : [...auditor.workspaces];
}
