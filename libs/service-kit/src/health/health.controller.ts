import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { KafkaHealthIndicator } from './kafka.health';

/** 200 when PostgreSQL and Kafka both answer, 503 (naming what is down) otherwise. */
@Controller('healthz')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.pingCheck('database', { connection: this.dataSource, timeout: 3_000 }), () => this.kafka.check('kafka')]);
  }
}
