import { type DynamicModule, Module } from '@nestjs/common';
import { AdaptersModule } from './adapters/adapters.module';
import { AuditModule } from './audit/audit.module';
import type { AuditOptions } from './audit/audit-log';
import { CitizenAuthModule } from './citizen-auth/citizen-auth.module';
import type { Catalogue } from './contracts/catalogue';
import { ConsentModule } from './consent/consent.module';
import { ContractsModule } from './contracts/contracts.module';
import type { CrlStore } from './identity/crl/crl-store';
import type { SourcesConfig } from './platform/config/config';
import { ExchangeModule } from './exchange/exchange.module';
import { IdentityModule } from './identity/identity.module';
import { NotificationsModule } from './notifications/notifications.module';
import { type PlatformOptions, PlatformModule } from './platform/platform.module';
import { portalOptionsOf } from './portal/portal-options';
import { PortalModule } from './portal/portal.module';

export interface AppModuleOptions extends PlatformOptions {
  crl: CrlStore;
  catalogue: Catalogue;
  sources: SourcesConfig;
  audit: AuditOptions;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(options),
        IdentityModule.forRoot(options.crl),
        ContractsModule.forRoot(options.catalogue),
        AdaptersModule.forRoot(options.sources),
        CitizenAuthModule.forRoot(options.config.citizenAuth),
        AuditModule.forRoot(options.audit),
        ConsentModule.forRoot(options.config.consent),
        NotificationsModule.forRoot(options.config.notifications),
        ExchangeModule,
        PortalModule.forRoot(portalOptionsOf(options.config, options.audit.pseudonymKey)),
      ],
    };
  }
}
