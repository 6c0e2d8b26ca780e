import { Controller, Get } from '@nestjs/common';
import { ManifestStore } from './manifest.store';

/** GET /manifest: the version in force and every action's effective policy. */
@Controller('manifest')
export class ManifestController {
  constructor(private readonly store: ManifestStore) {}

  @Get()
  show() {
    const { manifest, path, loadedAt } = this.store.current;
    return {
      version: manifest.version,
      path,
      loaded_at: loadedAt.toISOString(),
      actions: Object.fromEntries(
        [...manifest.actions.values()].map(({ validateParameters, ...action }) => [
          action.name,
          { ...action, parameters_schema: validateParameters ? manifest.document.actions[action.name].parameters_schema : null },
        ]),
      ),
    };
  }
}
