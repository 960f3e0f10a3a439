import { Module } from '@nestjs/common';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { MeConsentsController } from './me-consents.controller';

@Module({
  controllers: [MeConsentsController],
  providers: [ConsentRepository, ConsentService],
  exports: [ConsentService],
})
export class ConsentModule {}
