import { Body, Controller, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CitizenAuthGuard } from '../citizen-auth/citizen-auth.guard';
import { CitizenCaller } from '../citizen-auth/citizen-caller.decorator';
import type { CitizenPrincipal } from '../citizen-auth/citizen-token.verifier';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import type { ConsentView } from './consent';
import { RECEIPT_MEDIA_TYPE } from './consent-receipt';
import { compileShape, TERMS_PROPERTIES, type TermsInput } from './consent-terms';
import { ConsentService } from './consent.service';

/** The body of POST /v1/me/consents; the API reference publishes this same schema. */
export const GRANT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['requester', 'purpose', 'products'],
  properties: TERMS_PROPERTIES,
} as const;

const parseGrant = compileShape<TermsInput>(GRANT_SCHEMA);

/** The citizen's own consents. Another citizen's consent answers 404, exactly like one that does not exist. */
@ServedOn('public')
@UseGuards(CitizenAuthGuard)
@Controller('v1/me/consents')
export class MeConsentsController {
  constructor(private readonly consents: ConsentService) {}

  @Get()
  async list(@CitizenCaller() caller: CitizenPrincipal): Promise<{ consents: ConsentView[] }> {
    return { consents: await this.consents.list(caller.subject) };
  }

  @Post()
  @HttpCode(201)
  grant(@CitizenCaller() caller: CitizenPrincipal, @Body() body: unknown): Promise<ConsentView> {
    const input = parseGrant(body);
    if (Array.isArray(input)) {
      throw new DomainError('invalid-request', 'The consent does not match its schema', {
        extensions: { errors: input },
      });
    }
    return this.consents.grant(caller.subject, input);
  }

  @Get(':id')
  get(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<ConsentView> {
    return this.consents.get(caller.subject, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<ConsentView> {
    return this.consents.revoke(caller.subject, id);
  }

  @Get(':id/receipt')
  @Header('content-type', RECEIPT_MEDIA_TYPE)
  @Header('content-disposition', 'attachment; filename="consent-receipt.jws"')
  receipt(@CitizenCaller() caller: CitizenPrincipal, @Param('id') id: string): Promise<string> {
    return this.consents.receipt(caller.subject, id);
  }
}
