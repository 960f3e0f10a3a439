import { type DynamicModule, Module } from '@nestjs/common';
import { AdaptersModule } from './adapters/adapters.module';
import { AuditModule } from './audit/audit.module';
import { ChangesModule } from './changes/changes.module';
import type { AuditOptions } from './audit/audit-log';
import { CitizenAuthModule } from './citizen-auth/citizen-auth.module';
import type { Catalogue } from './contracts/catalogue';
import { ConsentModule } from './consent/consent.module';
import { ContractsModule } from './contracts/contracts.module';
import type { CrlStore } from './identity/crl/crl-store';
import type { SectorIdentifiers } from './identity/sector-identifier';
import type { SourcesConfig } from './platform/config/config';
import { ExchangeModule } from './exchange/exchange.module';
import { IdentityModule } from './identity/identity.module';
import { MyDataModule } from './my-data/my-data.module';
import { NotificationsModule } from './notifications/notifications.module';
import { type PlatformOptions, PlatformModule } from './platform/platform.module';
import { PORTAL_PROBLEM_PAGE } from './portal/portal-error.filter';
import { portalOptionsOf } from './portal/portal-options';
import { PortalModule } from './portal/portal.module';

export interface AppModuleOptions extends PlatformOptions {
  crl: CrlStore;
  sectorIdentifiers: SectorIdentifiers;
  catalogue: Catalogue;
  sources: SourcesConfig;
  audit: AuditOptions;
}

@Module({})
export class AppModule {
  /**
   * Only the platform is global. Each context module is created once here and
   * imported, as that one instance, by the modules that use its exports.
   */
  static forRoot(options: AppModuleOptions): DynamicModule {
    const identity = IdentityModule.forRoot(options.crl, options.sectorIdentifiers);
    const contracts = ContractsModule.forRoot(options.catalogue);
    const citizenAuth = CitizenAuthModule.forRoot(options.config.citizenAuth);
    const audit = AuditModule.forRoot(options.audit, { contracts, citizenAuth });
    const adapters = AdaptersModule.forRoot(options.sources, { contracts });
    const notifications = NotificationsModule.forRoot(options.config.notifications, { identity, contracts });
    const consent = ConsentModule.forRoot(options.config.consent, {
      contracts,
      audit,
      citizenAuth,
      notifications,
      identity,
      adapters,
    });
    const exchange = ExchangeModule.forRoot({ contracts, consent, adapters, audit, identity });
    const changes = ChangesModule.forRoot(options.config.changes, { contracts, identity, audit });
    const myData = MyDataModule.forRoot({ contracts, adapters, audit, consent });
    const portal = PortalModule.forRoot(portalOptionsOf(options.config, options.audit.pseudonymKey), {
      contracts,
      citizenAuth,
      consent,
      audit,
      myData,
      notifications,
    });
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ ...options, problemPage: PORTAL_PROBLEM_PAGE }),
        identity,
        contracts,
        adapters,
        citizenAuth,
        audit,
        consent,
        notifications,
        exchange,
        changes,
        myData,
        portal,
      ],
    };
  }
}
