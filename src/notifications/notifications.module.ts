import { type DynamicModule, Module } from '@nestjs/common';
import type { NotificationsConfig } from '../platform/config/config';
import { NOTIFICATIONS_CONFIG, NotificationDispatcher } from './notification-dispatcher';
import { NotificationRepository } from './notification.repository';
import { OutboxMetrics } from './outbox-metrics';
import { WebhookController } from './webhook.controller';

@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [WebhookController],
      providers: [
        { provide: NOTIFICATIONS_CONFIG, useValue: config },
        NotificationRepository,
        NotificationDispatcher,
        OutboxMetrics,
      ],
      exports: [NotificationDispatcher],
    };
  }
}
