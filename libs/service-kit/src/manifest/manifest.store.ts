import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Manifest, loadManifest } from '@hitl/policy';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { ManifestConfig } from '../config/config';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '../tokens';

export interface ManifestInForce {
  manifest: Manifest;
  path: string;
  loadedAt: Date;
}

const reloads = new Gauge({ name: 'hitl_manifest_reload_failures', help: 'Failed manifest reloads since start (the previous manifest kept serving)' });

/**
 * The manifest in force. Loaded at start (an invalid one stops the service, naming the
 * action and field); SIGHUP reloads it, and a new manifest that fails validation is
 * refused while the old one keeps serving. Routing reads `current` once per message.
 */
@Injectable()
export class ManifestStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly path: string;
  private inForce: ManifestInForce;
  private readonly onHangup = () => void this.reload();

  constructor(@Inject(SERVICE_CONFIG) config: ManifestConfig, @Inject(SERVICE_LOGGER) private readonly logger: Logger) {
    this.path = resolve(config.MANIFEST_PATH);
    this.inForce = this.read();
    this.logger.info({ manifest: this.path, version: this.inForce.manifest.version, actions: this.inForce.manifest.actions.size }, 'manifest loaded');
  }

  get current(): ManifestInForce {
    return this.inForce;
  }

  /** Re-reads the file; returns the version in force afterwards and the error, if the new one was refused. */
  reload(): { version: string; error?: string } {
    try {
      const next = this.read();
      const previous = this.inForce.manifest.version;
      this.inForce = next;
      this.logger.info({ manifest: this.path, version: next.manifest.version, previous }, 'manifest reloaded');
      return { version: next.manifest.version };
    } catch (error) {
      reloads.inc();
      const message = (error as Error).message;
      this.logger.error({ manifest: this.path, error: message, version: this.inForce.manifest.version }, 'manifest reload refused; the previous manifest keeps serving');
      return { version: this.inForce.manifest.version, error: message };
    }
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onHangup);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
  }

  private read(): ManifestInForce {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the manifest ${this.path} (MANIFEST_PATH): ${(error as Error).message}`);
    }
    try {
      return { manifest: loadManifest(text), path: this.path, loadedAt: new Date() };
    } catch (error) {
      throw new Error(`manifest ${this.path} (MANIFEST_PATH): ${(error as Error).message}`);
    }
  }
}
