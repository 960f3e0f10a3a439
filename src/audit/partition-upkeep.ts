import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Gauge } from 'prom-client';
import { Sql } from '../platform/database/sql';
import { Metrics } from '../platform/metrics/metrics';

/** Often enough that a missed run, or a node down for a while, still leaves weeks before next month's partition. */
export const UPKEEP_INTERVAL_MS = 60 * 60 * 1000;

// SECURITY DEFINER, owned by the owner: the one thing the application's login may do to the log's tables.
const ENSURE_SQL = 'SELECT created, default_records AS "defaultRecords" FROM audit_event_ensure_partitions()';

export interface UpkeepResult {
  created: string[];
  /** Records in the DEFAULT partition: each one a month that had no partition when it was written. */
  defaultRecords: number;
}

/**
 * Keeps the audit log's monthly partitions made ahead of time: at boot and
 * every hour, this month's and next month's (by the database's clock). Every
 * node runs it; the database makes each partition once. Records in the
 * DEFAULT partition are appended all the same, but their month can no longer
 * get a partition of its own nor be taken out by `audit retention`: that is
 * logged as a warning and counted in `passerelle_audit_default_partition_records`.
 */
@Injectable()
export class PartitionUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private defaultRecords = Number.NaN;

  constructor(
    private readonly sql: Sql,
    @InjectPinoLogger('audit') private readonly logger: PinoLogger,
    metrics: Metrics,
  ) {
    const gauge: Gauge = new Gauge({
      name: 'passerelle_audit_default_partition_records',
      help: 'Audit records in the DEFAULT partition, written in a month that had no partition (NaN until checked)',
      registers: [metrics.registry],
      collect: () => gauge.set(this.defaultRecords),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.run(), UPKEEP_INTERVAL_MS);
    this.timer.unref();
    await this.run();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; a failure is logged and tried again at the next (appends never depend on it). */
  async run(): Promise<UpkeepResult | undefined> {
    let result: UpkeepResult;
    try {
      const [row] = await this.sql.raw<{ created: string[]; defaultRecords: string }>(ENSURE_SQL, []);
      result = { created: row.created, defaultRecords: Number(row.defaultRecords) };
    } catch (error) {
      this.logger.warn({ event: 'audit-partition-upkeep-failed', err: error }, 'audit partitions could not be checked');
      return undefined;
    }
    for (const partition of result.created) {
      this.logger.info({ event: 'audit-partition-created', partition }, 'audit partition %s created', partition);
    }
    this.defaultRecords = result.defaultRecords;
    if (result.defaultRecords > 0) {
      this.logger.warn(
        { event: 'audit-default-partition-records', records: result.defaultRecords },
        '%d audit records are in the DEFAULT partition: their month had no partition when they were written',
        result.defaultRecords,
      );
    }
    return result;
  }
}
