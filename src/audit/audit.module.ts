import { type DynamicModule, Module } from '@nestjs/common';
import { AccessLogController } from './access-log.controller';
import { AuditEventsController } from './audit-events.controller';
import { AuditOffice } from './audit-office.service';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';
import { AuditQueryRepository } from './audit-query.repository';
import { PartitionUpkeep } from './partition-upkeep';

/** The modules the audit context uses, as the application created them. */
export interface AuditImports {
  /** The catalogue, for the products and purposes named in the log. */
  contracts: DynamicModule;
  /** CitizenAuthGuard, on the citizen's access log. */
  citizenAuth: DynamicModule;
}

@Module({})
export class AuditModule {
  static forRoot(options: AuditOptions, uses: AuditImports): DynamicModule {
    return {
      module: AuditModule,
      imports: [uses.contracts, uses.citizenAuth],
      controllers: [AuditEventsController, AccessLogController],
      providers: [
        { provide: AUDIT_OPTIONS, useValue: options },
        AuditLog,
        AuditQueryRepository,
        AuditOffice,
        PartitionUpkeep,
      ],
      exports: [AuditLog, AuditOffice],
    };
  }
}
