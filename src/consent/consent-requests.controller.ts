import { Body, Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { refuseQueryString } from '../platform/http/no-query';
import { compileShape, TERMS_PROPERTIES } from './consent-terms';
import { ConsentRequestService, type ConsentRequestInput, type ConsentRequestView } from './consent-request.service';

const { requester: _requester, validFrom: _validFrom, ...ASKED } = TERMS_PROPERTIES;

/** The body of POST /v1/consent-requests; the API reference publishes this same schema. */
export const CONSENT_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['citizen', 'purpose', 'products'],
  properties: {
    ...ASKED,
    // The caller's sector identifier (base64url), or a pivot id for an organisation still migrating.
    citizen: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
    message: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

const parseRequest = compileShape<ConsentRequestInput>(CONSENT_REQUEST_SCHEMA);

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Agencies ask citizens for consent (mutual TLS). An organisation sees only its own requests. */
@ServedOn('agency')
@Controller('v1/consent-requests')
export class ConsentRequestsController {
  constructor(private readonly requests: ConsentRequestService) {}

  @Post()
  async create(
    @AgencyCaller() caller: AgencyIdentity,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Req() request: FastifyRequest,
  ): Promise<ConsentRequestView> {
    refuseQueryString(request);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new DomainError('invalid-request', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        extensions: { errors: [{ pointer: 'header:Idempotency-Key', message: 'is invalid' }] },
      });
    }
    const input = parseRequest(body);
    if (Array.isArray(input)) {
      throw new DomainError('invalid-request', 'The consent request does not match its schema', {
        extensions: { errors: input },
      });
    }
    const answer = await this.requests.create(caller, input, idempotencyKey, request.id);
    void reply.status(answer.status);
    if (answer.replayed) void reply.header('idempotent-replayed', 'true');
    return answer.body;
  }

  @Get(':id')
  get(@AgencyCaller() caller: AgencyIdentity, @Param('id') id: string): Promise<ConsentRequestView> {
    return this.requests.getForRequester(caller, id);
  }
}
