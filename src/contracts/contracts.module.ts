import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Catalogue } from './catalogue';
import { CatalogueController } from './catalogue.controller';

@Global()
@Module({})
export class ContractsModule {
  /** Contracts are loaded and checked before boot, so a bad one stops the start with its file and pointer. */
  static forRoot(catalogue: Catalogue): DynamicModule {
    return {
      module: ContractsModule,
      controllers: [CatalogueController],
      providers: [{ provide: Catalogue, useValue: catalogue }],
      exports: [Catalogue],
    };
  }
}
