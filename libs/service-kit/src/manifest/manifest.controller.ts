import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { ManifestStore } from './manifest.store';

const ManifestQuery = z.strictObject({
  workspace: z.string().trim().min(1, { error: 'must not be blank' }).max(200).optional(),
});

/**
 * GET /manifest[?workspace=]: the manifest a workspace's decisions are routed by (its
 * own, else the default), its version and every action's effective policy, with the
 * versions of every workspace that has its own.
 */
@Controller('manifest')
export class ManifestController {
  constructor(private readonly store: ManifestStore) {}

  @Get()
  show(@Query(new ZodPipe(ManifestQuery)) query: z.infer<typeof ManifestQuery>) {
    const { manifest, path, loadedAt, workspace } = this.store.forWorkspace(query.workspace);
    return {
      version: manifest.version,
      path,
      loaded_at: loadedAt.toISOString(),
      workspace: query.workspace ?? null,
      // Whose manifest answered: the workspace's own, or the default.
      manifest_of: workspace ?? 'default',
      workspaces: Object.fromEntries([...this.store.all.workspaces].map(([name, m]) => [name, m.manifest.version])),
      actions: Object.fromEntries(
        [...manifest.actions.values()].map(({ validateParameters, ...action }) => [
          action.name,
          { ...action, parameters_schema: validateParameters ? manifest.document.actions[action.name].parameters_schema : null },
        ]),
      ),
    };
  }
}
