import { type DynamicModule, Module } from '@nestjs/common';
import type { NotificationsConfig } from '../platform/config/config';
import { NOTIFICATIONS_CONFIG, NotificationDispatcher } from './notification-dispatcher';
import { NotificationRepository } from './notification.repository';
import { OutboxMetrics } from './outbox-metrics';
import { OutboxWriter } from './outbox-writer';
import { WebhookController } from './webhook.controller';

/** The outbox and its deliveries. It uses no context module: contexts write their events through its OutboxWriter. */
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
        OutboxWriter,
      ],
      exports: [NotificationDispatcher, OutboxWriter],
    };
  }
}
