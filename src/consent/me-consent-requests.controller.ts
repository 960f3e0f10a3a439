import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CitizenAuthGuard } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { ServedOn } from '../platform/http/listener';
import type { ConsentView } from './consent';
import { ConsentRequestService, type ConsentRequestView } from './consent-request.service';

type Decision = { request: ConsentRequestView; consent: ConsentView };

/** The requests waiting for the citizen. Another citizen's request answers 404. */
@ApiTags('citizen')
@ApiBearerAuth()
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me/consent-requests')
export class MeConsentRequestsController {
  constructor(private readonly requests: ConsentRequestService) {}

  @Get()
  @ApiOperation({ summary: 'Consent requests agencies sent me, pending first' })
  async list(@CitizenCaller() caller: CitizenPrincipal): Promise<{ requests: ConsentRequestView[] }> {
    return { requests: await this.requests.listForCitizen(caller.subject) };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve: the consent becomes active' })
  approve(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<Decision> {
    return this.requests.approve(caller.subject, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject: the refusal is recorded' })
  reject(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<Decision> {
    return this.requests.reject(caller.subject, id);
  }
}
