import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Catalogue } from '../contracts/catalogue';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { refuseQueryString } from '../platform/http/no-query';
import { compileShape, TERMS_PROPERTIES } from './consent-terms';
import { SubscriptionRepository, type Subscription } from './subscription.repository';

/** A subscription as its organisation reads it. */
export interface SubscriptionView {
  product: string;
  purpose: string;
  createdAt: string;
}

/** The body of PUT /v1/subscriptions/{product}; the API reference publishes this same schema. */
export const SUBSCRIPTION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['purpose'],
  properties: { purpose: TERMS_PROPERTIES.purpose },
} as const;

const parseSubscription = compileShape<{ purpose: string }>(SUBSCRIPTION_SCHEMA);

const PURPOSE = new RegExp(TERMS_PROPERTIES.purpose.pattern);

/**
 * Whether `organisation` may follow changes to `product` for `purpose`: only
 * what the product's newest contract lets it ask for, for that purpose.
 */
export function maySubscribe(catalogue: Catalogue, organisation: string, product: string, purpose: string): boolean {
  const contract = catalogue.latest(product);
  return contract !== undefined && catalogue.allowedFields(contract, organisation, purpose) !== undefined;
}

function viewOf(subscription: Subscription): SubscriptionView {
  const { product, purpose, createdAt } = subscription;
  return { product, purpose, createdAt: createdAt.toISOString() };
}

/** The purpose of a DELETE, the only query parameter it takes. */
function purposeOf(query: Record<string, unknown>): string {
  const others = Object.keys(query).filter((name) => name !== 'purpose');
  const value = query.purpose;
  const errors = others.map((name) => ({ pointer: `query:${name}`, message: 'is not a parameter of this route' }));
  if (typeof value !== 'string' || value.length > TERMS_PROPERTIES.purpose.maxLength || !PURPOSE.test(value)) {
    errors.unshift({ pointer: 'query:purpose', message: value === undefined ? 'is required' : 'is invalid' });
  }
  if (errors.length > 0) {
    throw new DomainError('invalid-request', 'The subscription to remove is named by its purpose', {
      extensions: { errors },
    });
  }
  return value as string;
}

/**
 * Agencies subscribe to changes of a product, per purpose (mutual TLS). An
 * organisation sees only its own subscriptions. A product or purpose it may
 * not follow is refused with one answer, whatever the reason: the refusal does
 * not tell one agency what exists or what another may see.
 */
@ServedOn('agency')
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly catalogue: Catalogue,
  ) {}

  @Put(':product')
  async put(
    @AgencyCaller() caller: AgencyIdentity,
    @Param('product') product: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionView> {
    refuseQueryString(request);
    const input = parseSubscription(body);
    if (Array.isArray(input)) {
      throw new DomainError('invalid-request', 'The subscription does not match its schema', {
        extensions: { errors: input },
      });
    }
    if (!maySubscribe(this.catalogue, caller.organisation, product, input.purpose)) {
      throw new DomainError('purpose-not-allowed');
    }
    const { subscription, created } = await this.subscriptions.put(caller.organisation, product, input.purpose);
    void reply.status(created ? 201 : 200);
    return viewOf(subscription);
  }

  @Get()
  async list(
    @AgencyCaller() caller: AgencyIdentity,
    @Req() request: FastifyRequest,
  ): Promise<{ subscriptions: SubscriptionView[] }> {
    refuseQueryString(request);
    return { subscriptions: (await this.subscriptions.list(caller.organisation)).map(viewOf) };
  }

  @Delete(':product')
  @HttpCode(204)
  async delete(
    @AgencyCaller() caller: AgencyIdentity,
    @Param('product') product: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const purpose = purposeOf(query);
    // Not gated by the contracts: an organisation may always drop a subscription, even one its grants no longer cover.
    if (!(await this.subscriptions.delete(caller.organisation, product, purpose))) throw new DomainError('not-found');
  }
}
