import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { ReviewersFile, parseReviewersFile } from './reviewers-file';
import { DirectoryService } from './directory.service';

/**
 * Loads the reviewers file at start, before anything is consumed or served: every listed
 * reviewer is created or reset to the file (one transaction, each change on the record as
 * the file's); reviewers added through the admin API and not in the file are kept. An
 * invalid file stops the service, naming the reviewer and the field.
 */
@Injectable()
export class ReviewersLoader implements OnModuleInit {
  private readonly path: string;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly directory: DirectoryService,
  ) {
    this.path = resolve(config.REVIEWERS_PATH);
  }

  async onModuleInit(): Promise<void> {
    const file = this.read();
    const created = await this.directory.applyFile(file.reviewers, (message) => this.fileError(message));
    this.logger.info({ reviewers: this.path, listed: file.reviewers.length, created }, 'reviewers loaded');
    if (file.unsetTokenVariables.length > 0) {
      this.logger.warn(
        { unset: file.unsetTokenVariables },
        'token variables of some reviewers are not set: they keep the token they had, if any (POST /reviewers/:id/token issues one)',
      );
    }
  }

  private read(): ReviewersFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the reviewers file ${this.path} (REVIEWERS_PATH): ${(error as Error).message}`);
    }
    try {
      return parseReviewersFile(text, this.config.REVIEWER_TOKENS);
    } catch (error) {
      throw this.fileError((error as Error).message);
    }
  }

  private fileError(message: string): Error {
    return new Error(`reviewers file ${this.path} (REVIEWERS_PATH): ${message}`);
  }
}
