import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { NotificationsConfig } from '../platform/config/config';
import { SIGNING_KEY } from '../platform/signing/jwks.controller';
import type { SigningKey } from '../platform/signing/signing-key';
import { Catalogue } from '../contracts/catalogue';
import { CitizenNames } from '../identity/citizen-names.service';
import { citizenChannels } from './citizen-channels';
import { CitizenMessenger } from './citizen-messenger';
import { NotificationRepository, type ClaimedDelivery } from './notification.repository';
import { NOTIFICATIONS_CONFIG } from './notifications.tokens';
import { isOutboxEventType } from './outbox-events';
import { webhookAgent } from './webhook-destination';
import { sendWebhook } from './webhook-sender';

/**
 * Whether agencies receive an event by webhook: every change of a consent and
 * every answer to a request; not the request itself, which the agency made.
 * A type the outbox does not know goes nowhere. Pure.
 */
export function goesByWebhook(type: string): boolean {
  if (!isOutboxEventType(type)) return false;
  switch (type) {
    case 'consent.granted':
    case 'consent.revoked':
    case 'consent.expired':
    case 'consent-request.approved':
    case 'consent-request.rejected':
    case 'product.changed':
      return true;
    case 'consent-request.created':
      return false;
  }
}

const MAX_IN_FLIGHT = 32;
/** One receiver never holds more than this many slots: a stuck one cannot starve the others. */
const MAX_IN_FLIGHT_PER_RECIPIENT = 2;
const MAX_BACKOFF_MS = 3_600_000;

/** Backoff before the next attempt: base × 2^(attempt-1), ±20 % jitter, at most an hour. Pure. */
export function retryDelayMs(attempt: number, baseMs: number, random = Math.random()): number {
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random));
}

/**
 * Reads the transactional outbox: each event becomes its deliveries (a
 * webhook to the organisation, an e-mail or text message to the citizen as
 * their contact record chose), and due deliveries are attempted without
 * waiting on one another. Failures retry with backoff and are dead-lettered
 * after `maxAttempts`; a citizen's message with nobody to go to is skipped.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perRecipient = new Map<string, number>();
  private readonly webhooks: ReturnType<typeof webhookAgent>;

  constructor(
    private readonly repository: NotificationRepository,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @InjectPinoLogger('notifications') private readonly logger: PinoLogger,
    private readonly names: CitizenNames,
    private readonly messenger: CitizenMessenger,
    private readonly catalogue: Catalogue,
  ) {
    this.webhooks = webhookAgent(config.webhookNetworks);
  }

  onApplicationBootstrap(): void {
    if (!this.messenger.channels.includes('mail')) {
      this.logger.warn(
        { event: 'citizen-mail-off' },
        'SMTP_URL is unset: citizens’ e-mail waits in the outbox until the gateway runs with it',
      );
    }
    this.timer = setInterval(() => void this.tick(), this.config.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
    await this.webhooks.close();
  }

  /** One round: dispatch new events, then start the due deliveries there is room for. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const texts = this.messenger.textMessages;
      const basisOf = (purpose: string | null) =>
        purpose === null ? undefined : this.catalogue.purposes.get(purpose)?.basis;
      while (
        (await this.repository.dispatch(100, goesByWebhook, (type, purpose, choices) =>
          citizenChannels(type, basisOf(purpose), choices, texts),
        )) > 0
      );
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      if (room <= 0) return;
      const busy = [...this.perRecipient].filter(([, n]) => n >= MAX_IN_FLIGHT_PER_RECIPIENT).map(([r]) => r);
      const lease = this.config.webhookTimeoutMs * 2 + 1000;
      const channels = ['webhook' as const, ...this.messenger.channels];
      for (const delivery of await this.repository.claimDue(room, lease, busy, channels)) this.start(delivery);
    } catch (error) {
      // The database may be down: deliveries wait in the outbox until it is back.
      this.logger.warn({ event: 'notifications-tick-failed', err: error }, 'notification round failed');
    } finally {
      this.ticking = false;
    }
  }

  private start(delivery: ClaimedDelivery): void {
    this.perRecipient.set(delivery.recipient, (this.perRecipient.get(delivery.recipient) ?? 0) + 1);
    const attempt = this.attempt(delivery)
      .catch((error: unknown) => {
        this.logger.warn({ event: 'notification-attempt-failed', delivery: delivery.id, err: error });
      })
      .finally(() => {
        this.inFlight.delete(delivery.id);
        const left = (this.perRecipient.get(delivery.recipient) ?? 1) - 1;
        if (left > 0) this.perRecipient.set(delivery.recipient, left);
        else this.perRecipient.delete(delivery.recipient);
      });
    this.inFlight.set(delivery.id, attempt);
  }

  /**
   * The payload as the receiving organisation names the citizen: its sector's
   * identifier, never the pivot id. An organisation that is gone receives no
   * citizen at all.
   */
  private async asNamedFor(organisation: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (typeof payload.citizen !== 'string') return payload;
    const naming = await this.names.namingOf(organisation);
    const { citizen, ...rest } = payload;
    return naming === undefined ? rest : { ...rest, citizen: this.names.identifierFor(naming, citizen) };
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    let failure: string | null;
    if (delivery.channel === 'webhook') {
      failure =
        delivery.url === null
          ? 'no webhook registered'
          : await sendWebhook(
              delivery.url,
              {
                id: delivery.eventId,
                type: delivery.type,
                occurredAt: delivery.occurredAt.toISOString(),
                data: await this.asNamedFor(delivery.recipient, delivery.payload),
              },
              this.key,
              {
                timeoutMs: this.config.webhookTimeoutMs,
                networks: this.config.webhookNetworks,
                dispatcher: this.webhooks,
              },
            );
    } else {
      const outcome = await this.messenger.deliver({ ...delivery, channel: delivery.channel });
      if ('skipped' in outcome) {
        // Nobody to write to now (no confirmed address, a choice withdrawn): done with, not retried.
        await this.repository.skipped(delivery.id, outcome.skipped);
        return;
      }
      failure = 'failed' in outcome ? outcome.failed : null;
    }
    if (failure === null) {
      await this.repository.delivered(delivery.id);
      return;
    }
    const attempt = delivery.attempts + 1;
    const dead = attempt >= this.config.maxAttempts;
    this.logger.info(
      {
        event: dead ? 'notification-dead-lettered' : 'notification-retry',
        delivery: delivery.id,
        channel: delivery.channel,
        attempt,
        reason: failure,
      },
      dead ? 'delivery dead-lettered' : 'delivery will be retried',
    );
    await this.repository.failed(
      delivery.id,
      failure,
      this.config.maxAttempts,
      retryDelayMs(attempt, this.config.retryBaseMs),
    );
  }
}
