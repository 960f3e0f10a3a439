import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { refuseQueryString } from '../platform/http/no-query';
import { ChangesService } from './changes.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Owners report changes to their products (mutual TLS): one, or a batch of up to 10,000. */
@ServedOn('agency')
@Controller('v1/changes')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Post()
  @HttpCode(202)
  async report(
    @AgencyCaller() caller: AgencyIdentity,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ changeId: string } | { changeIds: string[] }> {
    refuseQueryString(request);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new DomainError('invalid-request', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        extensions: { errors: [{ pointer: 'header:Idempotency-Key', message: 'is invalid' }] },
      });
    }
    const answer = await this.changes.report(caller, body, idempotencyKey, request.id);
    if (answer.replayed) void reply.header('idempotent-replayed', 'true');
    return answer.body;
  }
}
