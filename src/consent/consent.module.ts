import { Module } from '@nestjs/common';
import { ConsentRequestRepository } from './consent-request.repository';
import { ConsentRequestService } from './consent-request.service';
import { ConsentRequestsController } from './consent-requests.controller';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { MeConsentRequestsController } from './me-consent-requests.controller';
import { MeConsentsController } from './me-consents.controller';

@Module({
  controllers: [MeConsentsController, MeConsentRequestsController, ConsentRequestsController],
  providers: [ConsentRepository, ConsentService, ConsentRequestRepository, ConsentRequestService],
  exports: [ConsentService],
})
export class ConsentModule {}
