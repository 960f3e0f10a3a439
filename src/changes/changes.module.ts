import { type DynamicModule, Module } from '@nestjs/common';
import { ChangeRepository } from './change.repository';
import { ChangesController } from './changes.controller';
import { ChangesService } from './changes.service';
import { FAN_OUT_OPTIONS, FanOutJob, type FanOutOptions } from './fan-out.job';

/** The modules the changes context uses, as the application created them. */
export interface ChangesImports {
  /** Which organisation owns each product, and the statute purposes. */
  contracts: DynamicModule;
  /** The owners' sector identifiers. */
  identity: DynamicModule;
  /** Every notice, and every change told to nobody, is audited. */
  audit: DynamicModule;
}

@Module({})
export class ChangesModule {
  static forRoot(options: FanOutOptions, uses: ChangesImports): DynamicModule {
    return {
      module: ChangesModule,
      imports: [uses.contracts, uses.identity, uses.audit],
      controllers: [ChangesController],
      providers: [{ provide: FAN_OUT_OPTIONS, useValue: options }, ChangeRepository, ChangesService, FanOutJob],
      exports: [FanOutJob],
    };
  }
}
