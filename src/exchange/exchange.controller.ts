import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { ServedOn } from '../platform/http/listener';
import { parseExchangeRequest } from './exchange-request';
import { refuseQueryString } from '../platform/http/no-query';
import { requestContextOf } from '../platform/telemetry/spans';
import { ExchangeService } from './exchange.service';

@ServedOn('agency')
@Controller('v1/exchanges')
export class ExchangeController {
  constructor(private readonly exchanges: ExchangeService) {}

  @Post()
  @HttpCode(200)
  async exchange(
    @AgencyCaller() caller: AgencyIdentity,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    refuseQueryString(request);
    const asked = parseExchangeRequest(body);
    const signed = await this.exchanges.exchange(caller, asked, request.id, requestContextOf(request.raw));
    // The exact bytes the signature covers: no serializer in between.
    await reply
      .status(200)
      .header('content-type', 'application/json')
      .header('x-jws-signature', signed.signature)
      .header('cache-control', 'no-store')
      .send(signed.body);
  }
}
