import { BeforeApplicationShutdown, DynamicModule, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConsoleConfig } from './config';
import { CONSOLE_CONFIG } from './console.tokens';
import { HealthController } from './health.controller';

/** The console server's own routes: only /healthz (the web app and the proxied APIs are mounted in console-app.ts). */
@Module({})
export class ConsoleModule implements BeforeApplicationShutdown {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /** Proxied live streams never end on their own: cut them, so the server can close. */
  beforeApplicationShutdown(): void {
    const server = this.adapter.httpAdapter?.getHttpServer() as { closeAllConnections?: () => void } | undefined;
    server?.closeAllConnections?.();
  }

  static forRoot(config: ConsoleConfig): DynamicModule {
    return { module: ConsoleModule, controllers: [HealthController], providers: [{ provide: CONSOLE_CONFIG, useValue: config }] };
  }
}
