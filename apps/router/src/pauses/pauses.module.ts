import { Module } from '@nestjs/common';
import { PausesConsumer } from './pauses.consumer';

@Module({ controllers: [PausesConsumer] })
export class PausesModule {}
