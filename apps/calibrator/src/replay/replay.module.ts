import { AuditorsModule, ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReplayController } from './replay.controller';
import { ReplayService } from './replay.service';

@Module({ imports: [ManifestModule, AuditorsModule], controllers: [ReplayController], providers: [ReplayService] })
export class ReplayModule {}
