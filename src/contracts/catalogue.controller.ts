import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { Catalogue, type CatalogueEntry } from './catalogue';

/**
 * What the calling organisation may request. A product it may not request is
 * answered exactly like a product that does not exist: the catalogue does not
 * tell one agency what another may see.
 */
@ApiTags('agency')
@ServedOn('agency')
@Controller('v1/catalogue')
export class CatalogueController {
  constructor(private readonly catalogue: Catalogue) {}

  @Get()
  @ApiOperation({ summary: 'The products, purposes and fields this organisation may request' })
  list(@AgencyCaller() caller: AgencyIdentity): { organisation: string; products: CatalogueEntry[] } {
    return { organisation: caller.organisation, products: this.catalogue.visibleTo(caller.organisation) };
  }

  @Get(':product/versions/:version')
  @ApiOperation({ summary: "A product version's contract, as it applies to this organisation, and its JSON Schema" })
  version(
    @AgencyCaller() caller: AgencyIdentity,
    @Param('product') product: string,
    @Param('version') version: string,
  ): CatalogueEntry & { schema: Record<string, unknown> } {
    const number = /^[1-9][0-9]{0,3}$/.test(version) ? Number(version) : NaN;
    const contract = Number.isNaN(number) ? undefined : this.catalogue.find(product, number);
    const entry = contract === undefined ? undefined : this.catalogue.entryFor(contract, caller.organisation);
    if (contract === undefined || entry === undefined) throw new DomainError('product-not-found');
    return { ...entry, schema: contract.dataSchema };
  }
}
