import { type DynamicModule, Module } from '@nestjs/common';
import { Catalogue } from './catalogue';
import { CatalogueController } from './catalogue.controller';

@Module({})
export class ContractsModule {
  /**
   * Contracts are loaded and checked before boot, so a bad one stops the start with its file and pointer.
   * The modules that read the catalogue import the instance the application created.
   */
  static forRoot(catalogue: Catalogue): DynamicModule {
    return {
      module: ContractsModule,
      controllers: [CatalogueController],
      providers: [{ provide: Catalogue, useValue: catalogue }],
      exports: [Catalogue],
    };
  }
}
