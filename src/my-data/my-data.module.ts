import { type DynamicModule, Module } from '@nestjs/common';
import { MyDataService } from './my-data.service';

/** The modules "my information" uses, as the application created them. */
export interface MyDataImports {
  /** The catalogue: contracts, their fields and access rules. */
  contracts: DynamicModule;
  /** The product sources, the same as the exchange's. */
  adapters: DynamicModule;
  /** Every look at the data is audited. */
  audit: DynamicModule;
  /** The citizen's pending consent requests, for their preview. */
  consent: DynamicModule;
}

/** A citizen's own data, read from the owning organisations' sources; its pages are the portal's. */
@Module({})
export class MyDataModule {
  static forRoot(uses: MyDataImports): DynamicModule {
    return {
      module: MyDataModule,
      imports: [uses.contracts, uses.adapters, uses.audit, uses.consent],
      providers: [MyDataService],
      exports: [MyDataService],
    };
  }
}
