import { Module } from '@nestjs/common';
import { AuditorsModule } from '@hitl/service-kit';
import { EventsReader } from './events.reader';
import { QueryController } from './query.controller';
import { QueryService } from './query.service';

@Module({ imports: [AuditorsModule], controllers: [QueryController], providers: [EventsReader, QueryService] })
export class QueryModule {}
