import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { CitizenAuthGuard } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { AuditOffice, type AccessEntry } from './audit-office.service';

const PAGE = 200;

/** Every exchange that touched the caller, every change notice about them, and their own looks, newest first. */
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me/access-log')
export class AccessLogController {
  constructor(private readonly office: AuditOffice) {}

  @Get()
  async list(
    @CitizenCaller() caller: CitizenPrincipal,
    @Query('before') before: string | undefined,
  ): Promise<{ entries: AccessEntry[]; nextBefore: number | null }> {
    if (before !== undefined && !/^\d{1,15}$/.test(before)) {
      throw new DomainError('invalid-request', 'before must be a seq', {
        extensions: { errors: [{ pointer: 'query:before', message: 'is invalid' }] },
      });
    }
    const entries = await this.office.accessLog(
      caller.subject,
      before === undefined ? Number.MAX_SAFE_INTEGER : Number(before),
      PAGE,
    );
    return { entries, nextBefore: entries.length === PAGE ? entries[entries.length - 1].seq : null };
  }
}
