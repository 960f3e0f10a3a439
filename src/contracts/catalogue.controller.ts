import { Controller, Get, Param } from '@nestjs/common';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { ServedOn } from '../platform/http/listener';
import { Catalogue, type CatalogueEntry } from './catalogue';
import { productNotFound } from './product-not-found';

/**
 * What the calling organisation may request. A product it may not request is
 * answered exactly like a product that does not exist: the catalogue does not
 * tell one agency what another may see.
 */
@ServedOn('agency')
@Controller('v1/catalogue')
export class CatalogueController {
  constructor(private readonly catalogue: Catalogue) {}

  @Get()
  list(@AgencyCaller() caller: AgencyIdentity): { organisation: string; products: CatalogueEntry[] } {
    return { organisation: caller.organisation, products: this.catalogue.visibleTo(caller.organisation) };
  }

  @Get(':product/versions/:version')
  version(
    @AgencyCaller() caller: AgencyIdentity,
    @Param('product') product: string,
    @Param('version') version: string,
  ): CatalogueEntry & { schema: Record<string, unknown> } {
    const number = /^[1-9][0-9]{0,3}$/.test(version) ? Number(version) : NaN;
    const contract = Number.isNaN(number) ? undefined : this.catalogue.find(product, number);
    const entry = contract === undefined ? undefined : this.catalogue.entryFor(contract, caller.organisation);
    if (contract === undefined || entry === undefined) {
      const visible = this.catalogue.visibleTo(caller.organisation).map((listed) => listed.product);
      throw productNotFound({ product, version: Number.isNaN(number) ? 'unreadable' : number }, visible);
    }
    return { ...entry, schema: contract.dataSchema };
  }
}
