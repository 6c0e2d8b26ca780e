import { KeyObject, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { SigningConfig, signingKeyFromPem } from './head-signing.config';
import { signingKeyUnset } from './head.errors';

/** The audit's Ed25519 key, from AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE (read at start: a bad file stops the service). */
@Injectable()
export class HeadSigner implements OnModuleInit {
  private key: KeyObject | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SigningConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.key = this.config.AUDIT_SIGNING_KEY ?? (this.config.AUDIT_SIGNING_KEY_FILE ? this.fromFile(this.config.AUDIT_SIGNING_KEY_FILE) : null);
    if (!this.key) this.logger.info('no AUDIT_SIGNING_KEY: chain heads cannot be exported (GET /audit/head answers 503)');
  }

  /** The private key, or 503 saying how to set one. */
  get privateKey(): KeyObject {
    if (!this.key) throw signingKeyUnset();
    return this.key;
  }

  get publicKey(): KeyObject {
    return createPublicKey(this.privateKey);
  }

  private fromFile(path: string): KeyObject {
    let pem: string;
    try {
      pem = readFileSync(resolve(path), 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read the signing key file ${resolve(path)} (AUDIT_SIGNING_KEY_FILE): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const parsed = signingKeyFromPem(pem);
    if ('problem' in parsed) throw new Error(`signing key file ${resolve(path)} (AUDIT_SIGNING_KEY_FILE): ${parsed.problem}`);
    return parsed.key;
  }
}
