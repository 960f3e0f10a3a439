import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../contracts/catalogue';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { parseExchangeRequest } from './exchange-request';

@ApiTags('agency')
@ServedOn('agency')
@Controller('v1/exchanges')
export class ExchangeController {
  constructor(private readonly catalogue: Catalogue) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Ask for a citizen's data product for a purpose" })
  exchange(@AgencyCaller() caller: AgencyIdentity, @Body() body: unknown): never {
    const request = parseExchangeRequest(body);
    // Step 2, contract. A product the caller may not request at all is
    // answered like one that does not exist, as the catalogue does.
    const contract = this.catalogue.find(request.product, request.version);
    if (contract === undefined || contract.access[caller.organisation] === undefined) {
      throw new DomainError('product-not-found');
    }
    if (this.catalogue.allowedFields(contract, caller.organisation, request.purpose) === undefined) {
      throw new DomainError('purpose-not-allowed');
    }
    // Step 3, consent. No consent can be recorded yet, so none covers this
    // request: fail closed, with the one answer every consent failure gets.
    throw new DomainError('consent-required');
  }
}
