import { type DynamicModule, Module } from '@nestjs/common';
import type { CrlStore } from './identity/crl/crl-store';
import { ExchangeModule } from './exchange/exchange.module';
import { IdentityModule } from './identity/identity.module';
import { type PlatformOptions, PlatformModule } from './platform/platform.module';

export interface AppModuleOptions extends PlatformOptions {
  crl: CrlStore;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(options), IdentityModule.forRoot(options.crl), ExchangeModule],
    };
  }
}
