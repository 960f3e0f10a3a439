import { Readable } from 'node:stream';
import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CitizenAuthGuard, RequireRole } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { PRIVACY_OFFICER_ROLE } from '../citizen-auth/roles';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { AuditOffice, integerParam, type AuditEvent, type FilterQuery } from './audit-office.service';
import type { VerifyReport } from './audit-verify';

/** The privacy officers' routes. Every query an officer makes is itself audited. */
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@RequireRole(PRIVACY_OFFICER_ROLE)
@Controller('v1/audit')
export class AuditEventsController {
  constructor(private readonly office: AuditOffice) {}

  @Get('events')
  events(
    @CitizenCaller() officer: CitizenPrincipal,
    @Query() query: FilterQuery,
  ): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
    const filter = this.office.filterOf(query);
    const cursor = integerParam(query.cursor, 'cursor', 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(query.limit, 'limit', 100, 1000) || 100;
    return this.office.search(officer, filter, cursor, limit);
  }

  @Get('events/export')
  async export(
    @CitizenCaller() officer: CitizenPrincipal,
    @Query() query: FilterQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = query.format ?? 'csv';
    if (format === 'jsonl') {
      // A verifiable export is the chain itself: a filtered one would have gaps that nothing could verify.
      const filters = Object.keys(query).filter((name) => name !== 'format');
      if (filters.length > 0) {
        throw new DomainError('invalid-request', 'A jsonl export covers the whole log and takes no filter', {
          extensions: {
            errors: filters.map((name) => ({ pointer: `query:${name}`, message: 'not with format=jsonl' })),
          },
        });
      }
      await sendStream(reply, await this.office.exportVerifiable(officer), 'application/jsonl', 'audit-log.jsonl');
      return;
    }
    if (format !== 'csv') {
      throw new DomainError('invalid-request', 'Only format=csv or format=jsonl is offered', {
        extensions: { errors: [{ pointer: 'query:format', message: 'must be csv or jsonl' }] },
      });
    }
    const lines = await this.office.export(officer, this.office.filterOf(query));
    await sendCsv(reply, lines);
  }

  @Get('integrity')
  async integrity(@CitizenCaller() officer: CitizenPrincipal): Promise<Omit<VerifyReport, 'invalidCheckpoints'>> {
    const { invalidCheckpoints: _invalid, ...report } = await this.office.integrity(officer);
    return report;
  }
}

/** Streams CSV lines as an attachment; the stream waits for a slow reader. */
export function sendCsv(reply: FastifyReply, lines: AsyncGenerator<string>): Promise<void> {
  return sendStream(reply, lines, 'text/csv; charset=utf-8', 'audit-events.csv');
}

async function sendStream(
  reply: FastifyReply,
  lines: AsyncGenerator<string>,
  contentType: string,
  filename: string,
): Promise<void> {
  await reply
    .status(200)
    .header('content-type', contentType)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines));
}
