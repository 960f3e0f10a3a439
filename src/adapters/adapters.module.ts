import { type DynamicModule, Module } from '@nestjs/common';
import type { SourcesConfig } from '../platform/config/config';
import { CitizenLinkRepository } from './citizen-link.repository';
import { ProductSourceService, SOURCES_CONFIG } from './product-source.service';

/** The modules the adapters use, as the application created them. */
export interface AdaptersImports {
  /** The catalogue: one source per contract. */
  contracts: DynamicModule;
}

@Module({})
export class AdaptersModule {
  /** Endpoint addresses are resolved before boot: simulators in development, configuration in production. */
  static forRoot(sources: SourcesConfig, uses: AdaptersImports): DynamicModule {
    return {
      module: AdaptersModule,
      imports: [uses.contracts],
      providers: [{ provide: SOURCES_CONFIG, useValue: sources }, CitizenLinkRepository, ProductSourceService],
      exports: [ProductSourceService, CitizenLinkRepository],
    };
  }
}
