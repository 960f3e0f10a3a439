import { type DynamicModule, Module } from '@nestjs/common';
import type { NotificationsConfig } from '../platform/config/config';
import { NOTIFICATIONS_CONFIG, NotificationDispatcher } from './notification-dispatcher';
import { NotificationRepository } from './notification.repository';
import { OutboxMetrics } from './outbox-metrics';
import { OutboxWriter } from './outbox-writer';
import { WebhookController } from './webhook.controller';

/** The modules notifications use, as the application created them. */
export interface NotificationsImports {
  /** How each receiving organisation names citizens. */
  identity: DynamicModule;
}

/** The outbox and its deliveries. Contexts write their events through its OutboxWriter. */
@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig, uses: NotificationsImports): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [uses.identity],
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
