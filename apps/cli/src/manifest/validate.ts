import { Manifest, ManifestError, ManifestIssue, loadManifest } from '@hitl/policy';

export type ManifestLoad = { ok: true; manifest: Manifest } | { ok: false; issues: ManifestIssue[] };

/** loadManifest, with its ManifestError turned into a value. */
export function parseManifest(yamlText: string): ManifestLoad {
  try {
    return { ok: true, manifest: loadManifest(yamlText) };
  } catch (error) {
    if (error instanceof ManifestError) return { ok: false, issues: error.issues };
    throw error;
  }
}

export function formatValid(manifest: Manifest): string {
  const count = manifest.actions.size;
  return `valid: ${count} action${count === 1 ? '' : 's'}, version ${manifest.version}`;
}

/** A header naming the file, then one `path: message` line per issue. */
export function formatIssues(file: string, issues: readonly ManifestIssue[]): string[] {
  return [
    `invalid manifest ${file}: ${issues.length} issue${issues.length === 1 ? '' : 's'}`,
    ...issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`),
  ];
}
