import { Module } from '@nestjs/common';
import { OutcomesConsumer } from './outcomes.consumer';
import { OutcomesService } from './outcomes.service';

@Module({ controllers: [OutcomesConsumer], providers: [OutcomesService] })
export class OutcomesModule {}
