import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../errors/domain-error';
import { ServedOn } from '../http/listener';
import { Readiness } from './readiness';

interface HealthBody {
  status: 'ok';
  checks?: Record<string, 'up'>;
}

@ServedOn('public')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @Header('cache-control', 'no-store')
  live(): HealthBody {
    return { status: 'ok' };
  }

  /**
   * Ready only when the database answers, no alarm is raised and no shutdown has begun; otherwise a 503 problem
   * naming every check that is down (the database first: when it is gone, the alarms it causes follow from it).
   */
  @Get('ready')
  @Header('cache-control', 'no-store')
  async ready(): Promise<HealthBody> {
    if (this.readiness.isShuttingDown) {
      throw new DomainError('not-ready', 'The gateway is shutting down', {
        extensions: { checks: { shutdown: 'down' } },
      });
    }
    const down: Record<string, 'down'> = {};
    let reason: string | undefined;
    try {
      await this.health.check([() => this.database.pingCheck('database', { timeout: 1_000 })]);
    } catch {
      down.database = 'down';
      reason = 'The database is unreachable';
    }
    for (const [check, why] of this.readiness.raised) {
      down[check] = 'down';
      reason ??= why;
    }
    if (reason !== undefined) {
      throw new DomainError('not-ready', reason, {
        ...(down.database === undefined ? {} : { retryAfterSeconds: 1 }),
        extensions: { checks: down },
      });
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}
