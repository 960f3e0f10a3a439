import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { CitizenAuthConfig } from '../platform/config/config';
import { CitizenAuthGuard } from './citizen-auth.guard';
import { CitizenTokenVerifier } from './citizen-token.verifier';
import { MeController } from './me.controller';

@Global()
@Module({})
export class CitizenAuthModule {
  static forRoot(config: CitizenAuthConfig): DynamicModule {
    return {
      module: CitizenAuthModule,
      controllers: [MeController],
      providers: [{ provide: CitizenTokenVerifier, useValue: new CitizenTokenVerifier(config) }, CitizenAuthGuard],
      exports: [CitizenTokenVerifier, CitizenAuthGuard],
    };
  }
}
