/** `workspaces: ["*"]`: every workspace. */
export const EVERY_WORKSPACE = '*';

/** Someone who reads the audit record, calibration reports and history, as the auditors file lists them (the token is not kept here). */
export interface Auditor {
  id: string;
  name: string;
  /** The workspaces they may read, or just "*". */
  workspaces: readonly string[];
}

export function readsEveryWorkspace(auditor: Auditor): boolean {
  return auditor.workspaces.includes(EVERY_WORKSPACE);
}

export function canRead(auditor: Auditor, workspace: string): boolean {
  return readsEveryWorkspace(auditor) || auditor.workspaces.includes(workspace);
}

/** Auditors of every workspace also administer the audit (they may run retention now). */
export function isAuditAdmin(auditor: Auditor): boolean {
  return readsEveryWorkspace(auditor);
}

/** The one workspace a request means when it names none: the auditor's only one, if they have exactly one. */
export function onlyWorkspace(auditor: Auditor): string | null {
  return auditor.workspaces.length === 1 && !readsEveryWorkspace(auditor) ? auditor.workspaces[0] : null;
}

/** A read over every workspace (`null`) is for auditors of every workspace only. */
export function canReadScope(auditor: Auditor, workspace: string | null): boolean {
  return workspace === null ? readsEveryWorkspace(auditor) : canRead(auditor, workspace);
}

/**
 * The workspaces a read covers: the one named (null when the auditor may not read it),
 * else every workspace the auditor reads ('*' for auditors of every workspace).
 */
export function readableWorkspaces(auditor: Auditor, requested?: string): string[] | '*' | null {
  if (requested !== undefined) return canRead(auditor, requested) ? [requested] : null;
  return readsEveryWorkspace(auditor) ? '*' : [...auditor.workspaces];
}
