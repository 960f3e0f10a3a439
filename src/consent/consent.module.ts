import { type DynamicModule, Module } from '@nestjs/common';
import { CONSENT_EXPIRY_INTERVAL, ConsentExpiryJob } from './consent-expiry.job';
import { ConsentClaimRepository } from './consent-claim.repository';
import { ConsentRequestRepository } from './consent-request.repository';
import { ConsentRequestService } from './consent-request.service';
import { ConsentRequestsController } from './consent-requests.controller';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { LawfulBasisService } from './lawful-basis.service';
import { SharedClaims } from './shared-claims';
import { MeConsentRequestsController } from './me-consent-requests.controller';
import { MeConsentsController } from './me-consents.controller';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionsController } from './subscriptions.controller';

/** The modules the consent context uses, as the application created them. */
export interface ConsentImports {
  /** The catalogue: terms are checked against the contracts, bases read from the purposes. */
  contracts: DynamicModule;
  /** Every consent change is audited. */
  audit: DynamicModule;
  /** CitizenAuthGuard, on the citizen's routes. */
  citizenAuth: DynamicModule;
  /** The agencies' sector identifiers. */
  identity: DynamicModule;
  /** Whether a pivot id is known, to explain a refusal. */
  adapters: DynamicModule;
  /** The OutboxWriter: every consent change commits with its event. */
  notifications: DynamicModule;
}

@Module({})
export class ConsentModule {
  static forRoot(options: { expiryIntervalMs: number }, uses: ConsentImports): DynamicModule {
    return {
      module: ConsentModule,
      imports: [uses.contracts, uses.audit, uses.citizenAuth, uses.notifications, uses.identity, uses.adapters],
      controllers: [
        MeConsentsController,
        MeConsentRequestsController,
        ConsentRequestsController,
        SubscriptionsController,
      ],
      providers: [
        { provide: CONSENT_EXPIRY_INTERVAL, useValue: options.expiryIntervalMs },
        ConsentRepository,
        ConsentService,
        ConsentRequestRepository,
        ConsentRequestService,
        ConsentExpiryJob,
        ConsentClaimRepository,
        LawfulBasisService,
        SharedClaims,
        SubscriptionRepository,
      ],
      exports: [ConsentService, ConsentRequestService, LawfulBasisService],
    };
  }
}
