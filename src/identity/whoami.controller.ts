import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServedOn } from '../platform/http/listener';
import { AgencyCaller } from './agency-caller.decorator';
import type { AgencyIdentity } from './agency-identity.service';

@ApiTags('agency')
@ServedOn('agency')
@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  @ApiOperation({ summary: 'The organisation this client certificate speaks for' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        organisation: { type: 'string' },
        fingerprint: { type: 'string' },
        subject: { type: 'string' },
        sector: { type: 'string', description: 'its sector: citizens are named by this sector’s identifiers' },
        identifiers: { type: 'string', enum: ['sector', 'pivot'] },
      },
    },
  })
  whoami(@AgencyCaller() caller: AgencyIdentity): AgencyIdentity {
    const { organisation, fingerprint, subject, sector, identifiers } = caller;
    return { organisation, fingerprint, subject, sector, identifiers };
  }
}
