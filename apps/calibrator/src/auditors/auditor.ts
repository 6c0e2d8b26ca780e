/** `workspaces: ["*"]`: every workspace. */
export const EVERY_WORKSPACE = '*';

/** Someone who reads calibration reports and history, as the auditors file lists them (no token here). */
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

/** A report over every workspace (`null`) is for auditors of every workspace only. */
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
