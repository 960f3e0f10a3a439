import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AuditLog } from '../audit/audit-log';
import { statuteParameters } from '../consent/change-audience';
import { Catalogue } from '../contracts/catalogue';
import { ChangeRepository, type Notice } from './change.repository';

export const FAN_OUT_OPTIONS = Symbol('FAN_OUT_OPTIONS');

export interface FanOutOptions {
  /** How often pending changes are looked for, besides the nudge after each report. */
  intervalMs: number;
  /** Changes fanned out per transaction. */
  batch: number;
}

/**
 * Fans recorded changes out to the outbox. Each batch is one transaction:
 * claim the oldest pending changes (skipping those another node holds), queue
 * a `product.changed` event for every subscriber whose basis covers the
 * citizen at the time of the change (one statement), audit each notice (and
 * each change that notified nobody), and mark the changes done. A crash
 * before the commit leaves the changes pending: the next round does them
 * again, and the events, which commit with the mark, are queued once. Their
 * audit records are appended before the commit, so a crash between the two
 * can repeat a record; it never loses one.
 */
@Injectable()
export class FanOutJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly changes: ChangeRepository,
    private readonly catalogue: Catalogue,
    private readonly audit: AuditLog,
    @Inject(FAN_OUT_OPTIONS) private readonly options: FanOutOptions,
    @InjectPinoLogger('changes') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poke(), this.options.intervalMs);
    this.timer.unref();
    this.poke();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }

  /** Starts a round now, or another one right after the round under way. */
  poke(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ event: 'fan-out-failed', err: error }, 'change fan-out failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Fans out batch after batch until none is pending. Returns how many changes it did. */
  async drain(): Promise<number> {
    let done = 0;
    for (;;) {
      const count = await this.round();
      done += count;
      if (count < this.options.batch || this.stopped) return done;
    }
  }

  private async round(): Promise<number> {
    const statute = statuteParameters(this.catalogue.purposes.values());
    return this.changes.sql.transaction(async (tx) => {
      const claimed = await this.changes.claim(tx, this.options.batch);
      if (claimed.length === 0) return 0;
      const ids = claimed.map((change) => change.id);
      const notices = await this.changes.fanOut(tx, ids, statute);
      const byChange = new Map<string, Notice[]>();
      for (const notice of notices) byChange.set(notice.changeId, [...(byChange.get(notice.changeId) ?? []), notice]);
      await Promise.all(
        claimed.flatMap((change) => {
          const details = {
            changeId: change.id,
            changedAt: change.changedAt.toISOString(),
            reportedBy: change.reportedBy,
          };
          const told = byChange.get(change.id) ?? [];
          if (told.length === 0) {
            return [
              this.audit.append({
                kind: 'change.reported',
                organisation: change.reportedBy,
                citizen: change.citizen,
                product: change.product,
                decision: 'allow',
                details: { ...details, notified: 0 },
              }),
            ];
          }
          return told.map((notice) =>
            this.audit.append({
              kind: 'change.notified',
              organisation: notice.organisation,
              citizen: change.citizen,
              product: change.product,
              purpose: notice.purpose,
              decision: 'allow',
              details,
            }),
          );
        }),
      );
      await this.changes.mark(
        tx,
        ids,
        claimed.map((change) => byChange.get(change.id)?.length ?? 0),
      );
      return claimed.length;
    });
  }
}
