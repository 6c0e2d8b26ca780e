import { Logger as PinoLogger } from 'pino';
import { Logger } from 'typeorm';

/**
 * TypeORM's logs as JSON lines. Query parameters are never logged (they hold personal
 * data); query text only at trace level.
 */
export class TypeOrmPinoLogger implements Logger {
  constructor(private readonly logger: PinoLogger) {}

  logQuery(query: string): void {
    this.logger.trace({ query }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    // TypeORM reports an applied migration as a schema-build message; that one matters.
    if (/^Migration .+ executed successfully\.$/.test(message)) this.logger.info(message);
    else this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.info(String(message));
  }
}
