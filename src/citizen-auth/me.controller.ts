import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServedOn } from '../platform/http/listener';
import { CitizenAuthGuard } from './citizen-auth.guard';
import { CitizenCaller } from './citizen-caller.decorator';
import type { CitizenPrincipal } from './citizen-token.verifier';

@ApiTags('citizen')
@ApiBearerAuth()
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'Who the bearer token speaks for: subject (pivot id) and roles' })
  me(@CitizenCaller() caller: CitizenPrincipal): CitizenPrincipal {
    return { subject: caller.subject, roles: caller.roles };
  }
}
