import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessLogController } from './access-log.controller';
import { AuditEventsController } from './audit-events.controller';
import { AuditOffice } from './audit-office.service';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';
import { AuditQueryRepository } from './audit-query.repository';

@Global()
@Module({})
export class AuditModule {
  static forRoot(options: AuditOptions): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditEventsController, AccessLogController],
      providers: [{ provide: AUDIT_OPTIONS, useValue: options }, AuditLog, AuditQueryRepository, AuditOffice],
      exports: [AuditLog, AuditOffice],
    };
  }
}
