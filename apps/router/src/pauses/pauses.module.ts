import { Module } from '@nestjs/common';
import { ProbationModule } from '../probation/probation.module';
import { PausesConsumer } from './pauses.consumer';

@Module({ imports: [ProbationModule], controllers: [PausesConsumer] })
export class PausesModule {}
