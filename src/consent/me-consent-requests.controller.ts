import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
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
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me/consent-requests')
export class MeConsentRequestsController {
  constructor(private readonly requests: ConsentRequestService) {}

  @Get()
  async list(@CitizenCaller() caller: CitizenPrincipal): Promise<{ requests: ConsentRequestView[] }> {
    return { requests: await this.requests.listForCitizen(caller.subject) };
  }

  @Post(':id/approve')
  @HttpCode(200)
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
  reject(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<Decision> {
    return this.requests.reject(caller.subject, id);
  }
}
