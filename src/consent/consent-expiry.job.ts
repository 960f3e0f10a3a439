import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConsentService } from './consent.service';

export const CONSENT_EXPIRY_INTERVAL = Symbol('CONSENT_EXPIRY_INTERVAL');

/**
 * Writes the `expired` successor (and its event) of each consent whose time
 * has come. Exchanges never depend on it: expiry is decided at check time.
 */
@Injectable()
export class ConsentExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly consents: ConsentService,
    @Inject(CONSENT_EXPIRY_INTERVAL) private readonly intervalMs: number,
    @InjectPinoLogger('consent') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.run().finally(() => {
        this.running = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      const expired = await this.consents.expireDue();
      if (expired > 0) this.logger.info({ event: 'consents-expired', count: expired }, 'consents expired');
    } catch (error) {
      this.logger.warn({ event: 'consent-expiry-failed', err: error }, 'consent expiry round failed');
    }
  }
}
