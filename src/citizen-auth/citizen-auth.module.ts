import { type DynamicModule, Module } from '@nestjs/common';
import type { CitizenAuthConfig } from '../platform/config/config';
import { CitizenAuthGuard } from './citizen-auth.guard';
import { CitizenTokenVerifier } from './citizen-token.verifier';
import { MeController } from './me.controller';

@Module({})
export class CitizenAuthModule {
  /** Modules whose controllers use CitizenAuthGuard import the instance the application created. */
  static forRoot(config: CitizenAuthConfig): DynamicModule {
    return {
      module: CitizenAuthModule,
      controllers: [MeController],
      providers: [{ provide: CitizenTokenVerifier, useValue: new CitizenTokenVerifier(config) }, CitizenAuthGuard],
      exports: [CitizenTokenVerifier, CitizenAuthGuard],
    };
  }
}
