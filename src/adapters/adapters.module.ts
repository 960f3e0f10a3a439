import { type DynamicModule, Module } from '@nestjs/common';
import type { SourcesConfig } from '../platform/config/config';
import { CitizenLinkRepository } from './citizen-link.repository';
import { ProductSourceService, SOURCES_CONFIG } from './product-source.service';

@Module({})
export class AdaptersModule {
  /** Endpoint addresses are resolved before boot: simulators in development, configuration in production. */
  static forRoot(sources: SourcesConfig): DynamicModule {
    return {
      module: AdaptersModule,
      global: true,
      providers: [{ provide: SOURCES_CONFIG, useValue: sources }, CitizenLinkRepository, ProductSourceService],
      exports: [ProductSourceService, CitizenLinkRepository],
    };
  }
}
