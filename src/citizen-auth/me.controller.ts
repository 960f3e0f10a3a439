import { Controller, Get, UseGuards } from '@nestjs/common';
import { ServedOn } from '../platform/http/listener';
import { CitizenAuthGuard } from './citizen-auth.guard';
import { CitizenCaller } from './citizen-caller.decorator';
import type { CitizenPrincipal } from './citizen-token.verifier';

@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me')
export class MeController {
  @Get()
  me(@CitizenCaller() caller: CitizenPrincipal): CitizenPrincipal {
    return { subject: caller.subject, roles: caller.roles };
  }
}
