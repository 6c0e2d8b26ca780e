import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { KafkaHealthIndicator } from './kafka.health';

/**
 * Probes. `/livez`: the process answers (a liveness probe: restarting it would not help an
 * outage of PostgreSQL or Kafka, so it never looks at them). `/readyz`: PostgreSQL and Kafka
 * both answer, so traffic may come (migrations ran before the service started serving);
 * 503 naming what is down otherwise. `/healthz` is `/readyz` under its older name.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  @Get('livez')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.pingCheck('database', { connection: this.dataSource, timeout: 3_000 }), () => this.kafka.check('kafka')]);
  }

  @Get('healthz')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }
}
