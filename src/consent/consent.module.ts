import { type DynamicModule, Module } from '@nestjs/common';
import { CONSENT_EXPIRY_INTERVAL, ConsentExpiryJob } from './consent-expiry.job';
import { ConsentRequestRepository } from './consent-request.repository';
import { ConsentRequestService } from './consent-request.service';
import { ConsentRequestsController } from './consent-requests.controller';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { MeConsentRequestsController } from './me-consent-requests.controller';
import { MeConsentsController } from './me-consents.controller';

@Module({})
export class ConsentModule {
  static forRoot(options: { expiryIntervalMs: number }): DynamicModule {
    return {
      module: ConsentModule,
      controllers: [MeConsentsController, MeConsentRequestsController, ConsentRequestsController],
      providers: [
        { provide: CONSENT_EXPIRY_INTERVAL, useValue: options.expiryIntervalMs },
        ConsentRepository,
        ConsentService,
        ConsentRequestRepository,
        ConsentRequestService,
        ConsentExpiryJob,
      ],
      exports: [ConsentService, ConsentRequestService],
    };
  }
}
