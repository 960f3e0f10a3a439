import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { parseExchangeRequest } from './exchange-request';

@ApiTags('agency')
@ServedOn('agency')
@Controller('v1/exchanges')
export class ExchangeController {
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Ask for a citizen's data product for a purpose" })
  exchange(@AgencyCaller() _caller: AgencyIdentity, @Body() body: unknown): never {
    parseExchangeRequest(body);
    // No data-product contract is published yet, so no product can be found.
    throw new DomainError('product-not-found');
  }
}
