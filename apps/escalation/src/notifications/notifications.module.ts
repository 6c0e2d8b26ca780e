import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { NOTIFICATION_OPTIONS, notificationOptionsProvider } from './notification-options';
import { NotificationsService } from './notifications.service';

/**
 * Chat notifications of placements: written in the placing transaction (NotificationsService,
 * used by approvals and the SLA scanner), posted by the dispatcher.
 */
@Module({
  imports: [ManifestModule],
  providers: [notificationOptionsProvider, NotificationsService, NotificationDispatcher],
  exports: [NotificationsService, NOTIFICATION_OPTIONS],
})
export class NotificationsModule {}
