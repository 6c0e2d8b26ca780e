import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

/** Prometheus text of the default registry, where the messaging lib's counters live too. */
@Controller('metrics')
export class MetricsController {
  constructor() {
    // Once per process, however many apps it hosts (tests boot several).
    if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
  }

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
