import { Controller, Get } from '@nestjs/common';
import { ServedOn } from '../platform/http/listener';
import { AgencyCaller } from './agency-caller.decorator';
import type { AgencyIdentity } from './agency-identity.service';

@ServedOn('agency')
@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  whoami(@AgencyCaller() caller: AgencyIdentity): AgencyIdentity {
    const { organisation, fingerprint, subject, sector, identifiers } = caller;
    return { organisation, fingerprint, subject, sector, identifiers };
  }
}
