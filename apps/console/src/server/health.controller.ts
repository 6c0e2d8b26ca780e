import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { CONSOLE_CONFIG } from './console.tokens';
import { ConsoleConfig, upstreams } from './config';

export interface ConsoleHealth {
  status: 'ok' | 'error';
  /** Each service the console fronts: `up` when its /healthz answered 200. */
  upstreams: Record<string, { status: 'up' | 'down'; url: string }>;
}

/** 200 when every service behind the console answers healthy, 503 naming those that do not. */
@Controller('healthz')
export class HealthController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  @Get()
  async check(): Promise<ConsoleHealth> {
    const checks = await Promise.all(
      upstreams(this.config).map(async ({ name, target }) => {
        const up = await fetch(`${target}/healthz`, { signal: AbortSignal.timeout(3_000) })
          .then((r) => r.status === 200)
          .catch(() => false);
        return [name, { status: up ? ('up' as const) : ('down' as const), url: target }] as const;
      }),
    );
    const health: ConsoleHealth = { status: checks.every(([, c]) => c.status === 'up') ? 'ok' : 'error', upstreams: Object.fromEntries(checks) };
    if (health.status !== 'ok') throw new ServiceUnavailableException(health);
    return health;
  }
}
