import { type DynamicModule, Module } from '@nestjs/common';
import type { NotificationsConfig } from '../platform/config/config';
import { CitizenContactRepository } from './citizen-contact.repository';
import { CitizenContacts } from './citizen-contacts.service';
import { CitizenMailer } from './citizen-mailer';
import { CitizenMessenger } from './citizen-messenger';
import { MessageNameSource } from './message-names';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationRepository } from './notification.repository';
import { NOTIFICATIONS_CONFIG, SMS_SENDER } from './notifications.tokens';
import { OutboxMetrics } from './outbox-metrics';
import { OutboxWriter } from './outbox-writer';
import { HttpSmsSender } from './sms-sender';
import { WebhookController } from './webhook.controller';

/** The modules notifications use, as the application created them. */
export interface NotificationsImports {
  /** How each receiving organisation names citizens, and the organisations' names. */
  identity: DynamicModule;
  /** The catalogue: the names of information and reasons, and each reason's lawful basis. */
  contracts: DynamicModule;
}

/**
 * The outbox and its deliveries, and citizens' contact records. Contexts
 * write their events through its OutboxWriter; the portal keeps contact
 * details through CitizenContacts.
 */
@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig, uses: NotificationsImports): DynamicModule {
    // Each attempt, whatever its channel, ends within the delivery timeout.
    const timeoutMs = config.webhookTimeoutMs;
    return {
      module: NotificationsModule,
      imports: [uses.identity, uses.contracts],
      controllers: [WebhookController],
      providers: [
        { provide: NOTIFICATIONS_CONFIG, useValue: config },
        {
          provide: CitizenMailer,
          useValue: new CitizenMailer({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, timeoutMs }),
        },
        {
          provide: SMS_SENDER,
          useValue:
            config.sms.url === undefined
              ? null
              : new HttpSmsSender({ url: config.sms.url, token: config.sms.token, timeoutMs }),
        },
        NotificationRepository,
        NotificationDispatcher,
        OutboxMetrics,
        OutboxWriter,
        CitizenContactRepository,
        CitizenContacts,
        CitizenMessenger,
        MessageNameSource,
      ],
      exports: [NotificationDispatcher, OutboxWriter, CitizenContacts],
    };
  }
}
