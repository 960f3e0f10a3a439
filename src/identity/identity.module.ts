import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgencyIdentityService } from './agency-identity.service';
import { BindingCache } from './binding-cache';
import { CrlMetrics } from './crl/crl-metrics';
import { CrlStore } from './crl/crl-store';
import { IDENTITY_ENTITIES, OrganisationRepository } from './organisation.repository';
import { CitizenNames } from './citizen-names.service';
import { SectorIdentifiers } from './sector-identifier';
import { WhoamiController } from './whoami.controller';

@Module({})
export class IdentityModule {
  /** The CRL store is opened before the TLS server exists, so it arrives ready-made. */
  static forRoot(crl: CrlStore, sectorIdentifiers: SectorIdentifiers): DynamicModule {
    return {
      module: IdentityModule,
      imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
      controllers: [WhoamiController],
      providers: [
        { provide: CrlStore, useValue: crl },
        { provide: SectorIdentifiers, useValue: sectorIdentifiers },
        CrlMetrics,
        { provide: BindingCache, useValue: new BindingCache() },
        AgencyIdentityService,
        OrganisationRepository,
        CitizenNames,
      ],
      exports: [AgencyIdentityService, BindingCache, OrganisationRepository, CrlStore, CitizenNames],
    };
  }
}
