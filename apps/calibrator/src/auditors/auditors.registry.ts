import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { Auditor } from './auditor';
import { AuditorsConfig } from './auditors.config';
import { parseAuditorsFile } from './auditors-file';

/** The auditors, read from AUDITORS_PATH at start; an unreadable or invalid file stops the service. */
@Injectable()
export class AuditorsRegistry implements OnModuleInit {
  private byTokenHash = new Map<string, Auditor>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AuditorsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const path = resolve(this.config.AUDITORS_PATH);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the auditors file ${path} (AUDITORS_PATH): ${(error as Error).message}`);
    }
    let file;
    try {
      file = parseAuditorsFile(text, this.config.AUDITOR_TOKENS);
    } catch (error) {
      throw new Error(`auditors file ${path} (AUDITORS_PATH): ${(error as Error).message}`);
    }
    this.byTokenHash = file.byTokenHash;
    this.logger.info({ auditors: path, can_sign_in: file.byTokenHash.size }, 'auditors loaded');
    if (file.unsetTokenVariables.length > 0) this.logger.warn({ unset: file.unsetTokenVariables }, 'token variables of some auditors are not set: they cannot sign in');
  }

  /** The auditor holding the token with this SHA-256 hex, if any. */
  byToken(tokenHash: string): Auditor | null {
    return this.byTokenHash.get(tokenHash) ?? null;
  }
}
