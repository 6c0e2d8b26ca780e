import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { SlaScanner } from './sla-scanner.service';

@Module({ imports: [NotificationsModule], providers: [SlaScanner], exports: [SlaScanner] })
export class SlaModule {}
