import { Module } from '@nestjs/common';
import { ManifestModule } from '@hitl/service-kit';
import { PausesModule } from './pauses/pauses.module';
import { RoutingModule } from './routing/routing.module';

/** The router's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [ManifestModule, RoutingModule, PausesModule] })
export class AppModule {}
