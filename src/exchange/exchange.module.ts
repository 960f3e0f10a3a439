import { type DynamicModule, Module } from '@nestjs/common';
import { ExchangeController } from './exchange.controller';
import { ExchangeService } from './exchange.service';

/** The modules the broker uses, as the application created them. */
export interface ExchangeImports {
  /** The catalogue: contracts, access rules and purposes. */
  contracts: DynamicModule;
  /** The lawful-basis service: the one door to consents and statutes. */
  consent: DynamicModule;
  /** The product sources. */
  adapters: DynamicModule;
  /** The audit log. */
  audit: DynamicModule;
  /** The callers' sectors and the identifiers they name citizens by. */
  identity: DynamicModule;
}

@Module({})
export class ExchangeModule {
  static forRoot(uses: ExchangeImports): DynamicModule {
    return {
      module: ExchangeModule,
      imports: [uses.contracts, uses.consent, uses.adapters, uses.audit, uses.identity],
      controllers: [ExchangeController],
      providers: [ExchangeService],
    };
  }
}
