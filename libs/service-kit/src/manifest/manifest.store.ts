import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Manifest, loadManifest } from '@hitl/policy';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { Counter } from 'prom-client';
import { ManifestConfig } from '../config/config';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '../tokens';

export interface ManifestInForce {
  manifest: Manifest;
  /** The file it was read from. */
  path: string;
  loadedAt: Date;
  /** The workspace it is for; null for the default one (every workspace without its own). */
  workspace: string | null;
}

/** Every manifest in force: the default, and those of workspaces that have their own. */
export interface ManifestSet {
  default: ManifestInForce;
  workspaces: ReadonlyMap<string, ManifestInForce>;
}

const reloadFailures = new Counter({
  name: 'hitl_manifest_reload_failures_total',
  help: 'Manifest reloads refused (an invalid manifest: the previous ones kept serving)',
});

/** A workspace's own manifest file in a manifest directory: `<workspace>.yaml`. */
const WORKSPACE_FILE = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$/;
const DEFAULT_FILE = /^default\.ya?ml$/;

/**
 * The manifests in force. `MANIFEST_PATH` names a file (one manifest for every
 * workspace) or a directory: `default.yaml` plus `<workspace>.yaml` files, each a whole
 * manifest with its own version. Loaded at start (an invalid one stops the service,
 * naming the file, the action and the field). They are reloaded, all of them, on SIGHUP and
 * when their files change (looked at every MANIFEST_WATCH_INTERVAL_MS: a file rewritten in
 * place, or a Kubernetes ConfigMap swapped under its mount); a set with any invalid manifest
 * is refused while the previous set keeps serving. Routing reads `forWorkspace` once per
 * message.
 */
@Injectable()
export class ManifestStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly path: string;
  private inForce: ManifestSet;
  /** What the files held when last read (valid or not): a change is reloaded once. */
  private source: string;
  private watch?: NodeJS.Timeout;
  private readonly onHangup = () => void this.reload();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ManifestConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.path = resolve(config.MANIFEST_PATH);
    this.source = this.fingerprint();
    this.inForce = this.read();
    this.logger.info({ manifest: this.path, ...this.versions() }, 'manifest loaded');
  }

  /** The manifest a workspace's decisions are routed by: its own, else the default (no workspace: the default). */
  forWorkspace(workspace: string | null | undefined): ManifestInForce {
    return (workspace ? this.inForce.workspaces.get(workspace) : undefined) ?? this.inForce.default;
  }

  get all(): ManifestSet {
    return this.inForce;
  }

  /** Re-reads every manifest; returns the versions in force afterwards and the error, if the new set was refused. */
  reload(): { version: string; workspaces: Record<string, string>; error?: string } {
    this.source = this.fingerprint();
    try {
      const next = this.read();
      const previous = this.versions();
      this.inForce = next;
      this.logger.info({ manifest: this.path, ...this.versions(), previous }, 'manifest reloaded');
      return this.versions();
    } catch (error) {
      reloadFailures.inc();
      const message = (error as Error).message;
      this.logger.error({ manifest: this.path, error: message, ...this.versions() }, 'manifest reload refused; the previous manifests keep serving');
      return { ...this.versions(), error: message };
    }
  }

  /**
   * Reloads when the files hold something else than when last read; says whether it did.
   * A refused change is not retried until the files change again.
   */
  reloadIfChanged(): boolean {
    if (this.fingerprint() === this.source) return false;
    this.reload();
    return true;
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onHangup);
    const every = this.config.MANIFEST_WATCH_INTERVAL_MS;
    if (every > 0) this.watch = setInterval(() => this.reloadIfChanged(), every).unref();
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
    clearInterval(this.watch);
  }

  /**
   * The manifests' bytes and names, hashed (a few small files, read whole: mtimes and inodes
   * tell nothing reliable through a ConfigMap's symlinks). Unreadable: its reason, so the
   * reload that follows says it.
   */
  private fingerprint(): string {
    const hash = createHash('sha256');
    try {
      if (!statSync(this.path).isDirectory()) return hash.update(readFileSync(this.path)).digest('hex');
      for (const file of readdirSync(this.path).sort()) {
        if (!WORKSPACE_FILE.test(file)) continue;
        hash
          .update(file)
          .update('\u0000')
          .update(readFileSync(join(this.path, file)))
          .update('\u0000');
      }
      return hash.digest('hex');
    } catch (error) {
      return `unreadable: ${(error as Error).message}`;
    }
  }

  private versions(): { version: string; workspaces: Record<string, string> } {
    return {
      version: this.inForce.default.manifest.version,
      workspaces: Object.fromEntries([...this.inForce.workspaces].map(([workspace, m]) => [workspace, m.manifest.version])),
    };
  }

  private read(): ManifestSet {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(this.path).isDirectory();
    } catch (error) {
      throw new Error(`cannot read the manifest ${this.path} (MANIFEST_PATH): ${(error as Error).message}`);
    }
    if (!isDirectory) return { default: this.readFile(this.path, null), workspaces: new Map() };

    const files = readdirSync(this.path).sort();
    const defaultFile = files.find((f) => DEFAULT_FILE.test(f));
    if (!defaultFile)
      throw new Error(`manifest directory ${this.path} (MANIFEST_PATH) has no default.yaml: it is the manifest of every workspace without its own`);
    const workspaces = new Map<string, ManifestInForce>();
    for (const file of files) {
      const match = WORKSPACE_FILE.exec(file);
      if (!match || DEFAULT_FILE.test(file)) continue;
      if (workspaces.has(match[1])) throw new Error(`manifest directory ${this.path} (MANIFEST_PATH) has two manifests for workspace ${match[1]}`);
      workspaces.set(match[1], this.readFile(join(this.path, file), match[1]));
    }
    return { default: this.readFile(join(this.path, defaultFile), null), workspaces };
  }

  private readFile(path: string, workspace: string | null): ManifestInForce {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the manifest ${path} (MANIFEST_PATH): ${(error as Error).message}`);
    }
    try {
      const manifest = loadManifest(text, { minTierShareSeconds: this.config.MANIFEST_MIN_TIER_SHARE_SECONDS });
      return { manifest, path, loadedAt: new Date(), workspace };
    } catch (error) {
      throw new Error(`manifest ${path} (MANIFEST_PATH${workspace ? `, workspace ${workspace}` : ''}): ${(error as Error).message}`);
    }
  }
}
