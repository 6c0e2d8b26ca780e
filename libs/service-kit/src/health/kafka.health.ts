import { KafkaProbe } from '@hitl/messaging';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly probe: KafkaProbe,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up(await this.probe.check());
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
