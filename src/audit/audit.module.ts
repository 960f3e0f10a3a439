import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';

@Global()
@Module({})
export class AuditModule {
  static forRoot(options: AuditOptions): DynamicModule {
    return {
      module: AuditModule,
      providers: [{ provide: AUDIT_OPTIONS, useValue: options }, AuditLog],
      exports: [AuditLog],
    };
  }
}
