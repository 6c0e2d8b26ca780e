import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '../tokens';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { Auditor } from './auditor';
import { AuditorsConfig } from './auditors.config';
import { parseAuditorsFile } from './auditors-file';

/**
 * The auditors, read from the auditors file at start and kept in memory by token hash.
 * An unreadable or invalid file stops the service, naming the auditor and the field.
 */
@Injectable()
export class AuditorsRegistry implements OnModuleInit {
  private byTokenHash = new Map<string, Auditor>();
  private readonly path: string;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AuditorsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.path = resolve(config.AUDITORS_PATH);
  }

  onModuleInit(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the auditors file ${this.path} (AUDITORS_PATH): ${(error as Error).message}`);
    }
    let file;
    try {
      file = parseAuditorsFile(text, this.config.AUDITOR_TOKENS);
    } catch (error) {
      throw new Error(`auditors file ${this.path} (AUDITORS_PATH): ${(error as Error).message}`);
    }
    this.byTokenHash = new Map(file.auditors.map(({ tokenHash, ...auditor }) => [tokenHash, auditor]));
    this.logger.info({ auditors: this.path, can_sign_in: file.auditors.length }, 'auditors loaded');
    if (file.unsetTokenVariables.length > 0) {
      this.logger.warn({ unset: file.unsetTokenVariables }, 'token variables of some auditors are not set: they cannot sign in');
    }
  }

  /** The auditor holding the token with this SHA-256 hex, if any. */
  byToken(tokenHash: string): Auditor | null {
    return this.byTokenHash.get(tokenHash) ?? null;
  }
}
