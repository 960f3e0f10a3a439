import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CitizenAuthGuard } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { parseApproval } from './approval';
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
  @ApiOperation({
    summary:
      'Approve: the consent becomes active. An optional body {"keepUpToDate": boolean} says whether the ' +
      'organisation is kept up to date with changes (an ongoing request only); without it, as the organisation asked',
  })
  approve(
    @CitizenCaller() caller: CitizenPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<Decision> {
    const choice = parseApproval(body);
    if (Array.isArray(choice)) {
      throw new DomainError('invalid-request', 'The approval does not match its schema', {
        extensions: { errors: choice },
      });
    }
    return this.requests.approve(caller.subject, id, choice);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject: the refusal is recorded' })
  reject(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<Decision> {
    return this.requests.reject(caller.subject, id);
  }
}
