import { Module } from '@nestjs/common';
import { CallbacksModule } from './callbacks/callbacks.module';
import { DecisionsModule } from './decisions/decisions.module';

/** The gateway's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [DecisionsModule, CallbacksModule] })
export class AppModule {}
