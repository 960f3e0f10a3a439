import { Inject, Injectable } from '@nestjs/common';
import type { NotificationsConfig } from '../platform/config/config';
import { type CitizenChannel, messageTarget, type SkipReason } from './citizen-channels';
import { CitizenContactRepository } from './citizen-contact.repository';
import { CitizenMailer, MailNotSent } from './citizen-mailer';
import { citizenEmail, citizenSms } from './citizen-messages';
import { MessageNameSource } from './message-names';
import { NOTIFICATIONS_CONFIG, SMS_SENDER } from './notifications.tokens';
import { type SmsSender, SmsNotSent } from './sms-sender';

/** A message queued for a citizen, as the dispatcher claimed it. */
export interface CitizenDelivery {
  channel: CitizenChannel;
  /** The citizen's pivot subject. */
  recipient: string;
  type: string;
  /** The organisation the event concerns. */
  organisation: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

export type CitizenOutcome = { sent: true } | { skipped: SkipReason } | { failed: string };

/**
 * Turns a citizen's queued delivery into a message: the contact record read
 * now (the address may have changed since the event), the words in the
 * citizen's language, sent by e-mail or text message.
 */
@Injectable()
export class CitizenMessenger {
  constructor(
    private readonly contacts: CitizenContactRepository,
    private readonly names: MessageNameSource,
    private readonly mailer: CitizenMailer,
    @Inject(SMS_SENDER) private readonly sms: SmsSender | null,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
  ) {}

  /** The citizen channels whose deliveries can be attempted now: the others wait in the outbox. */
  get channels(): CitizenChannel[] {
    return [...(this.mailer.configured ? (['mail'] as const) : []), ...(this.sms === null ? [] : (['sms'] as const))];
  }

  get textMessages(): boolean {
    return this.sms !== null;
  }

  async deliver(delivery: CitizenDelivery): Promise<CitizenOutcome> {
    const contact = await this.contacts.find(delivery.recipient);
    const target = messageTarget(contact, delivery.channel, delivery.type);
    if ('skip' in target || contact === undefined) return { skipped: 'skip' in target ? target.skip : 'no-contact' };
    const base = this.config.portalBaseUrl;
    try {
      if (delivery.channel === 'mail') {
        const message = citizenEmail(target.event, delivery.payload, {
          lang: contact.lang,
          names: await this.names.load(),
          portalBaseUrl: base,
          organisation: delivery.organisation,
          occurredAt: delivery.occurredAt,
        });
        await this.mailer.send(target.to, message.subject, message.text);
      } else {
        if (this.sms === null) return { failed: 'no-sms-provider' };
        await this.sms.send(target.to, citizenSms(target.event, contact.lang, base));
      }
      return { sent: true };
    } catch (error) {
      if (error instanceof MailNotSent || error instanceof SmsNotSent) return { failed: error.reason };
      throw error;
    }
  }
}
