import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { OutcomesConsumer } from './outcomes.consumer';
import { OutcomesService } from './outcomes.service';

@Module({ imports: [ManifestModule], controllers: [OutcomesConsumer], providers: [OutcomesService] })
export class OutcomesModule {}
