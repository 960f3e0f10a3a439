import type { DataSourceOptions } from 'typeorm';
import { Identity1795392000000 } from './migrations/1795392000000-identity';
import { CitizenLink1795478400000 } from './migrations/1795478400000-citizen-link';
import { Consent1795564800000 } from './migrations/1795564800000-consent';
import { Notifications1795651200000 } from './migrations/1795651200000-notifications';
import { Audit1795737600000 } from './migrations/1795737600000-audit';
import { Portal1795824000000 } from './migrations/1795824000000-portal';
import { StatelessSignIn1795910400000 } from './migrations/1795910400000-stateless-sign-in';
import { ApplicationLogin1795996800000 } from './migrations/1795996800000-application-login';
import { OrganisationSector1796083200000 } from './migrations/1796083200000-organisation-sector';
import { ChangePropagation1796169600000 } from './migrations/1796169600000-change-propagation';
import { CitizenContact1796256000000 } from './migrations/1796256000000-citizen-contact';
import { PortalSessionName1796342400000 } from './migrations/1796342400000-portal-session-name';
import { AuditPartitions1796428800000 } from './migrations/1796428800000-audit-partitions';
import { SharedAuditEvidence1796515200000 } from './migrations/1796515200000-shared-audit-evidence';
import { ClusterNodes1796601600000 } from './migrations/1796601600000-cluster-nodes';
import { ConsentUsesCountedByTheLog1796688000000 } from './migrations/1796688000000-consent-uses-counted-by-the-log';

/** Migrations are listed, not globbed, so ts-node, jest and dist/ all load the same set. */
export const MIGRATIONS = [
  Identity1795392000000,
  CitizenLink1795478400000,
  Consent1795564800000,
  Notifications1795651200000,
  Audit1795737600000,
  Portal1795824000000,
  StatelessSignIn1795910400000,
  ApplicationLogin1795996800000,
  OrganisationSector1796083200000,
  ChangePropagation1796169600000,
  CitizenContact1796256000000,
  PortalSessionName1796342400000,
  AuditPartitions1796428800000,
  SharedAuditEvidence1796515200000,
  ClusterNodes1796601600000,
  ConsentUsesCountedByTheLog1796688000000,
];

export interface DatabaseSettings {
  url: string;
  poolMax: number;
  /** Connections kept open however idle (none unless given); the gateway opens them at start (Sql.warm). */
  poolMin?: number;
  statementTimeoutMs: number;
  /**
   * The TypeORM entities of the contexts that use the connection. In the
   * gateway each context's module registers its own (TypeOrmModule.forFeature).
   */
  entities?: DataSourceOptions['entities'];
}

export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema only ever changes through reviewed migrations.
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: 'passerelle',
    extra: {
      max: settings.poolMax,
      min: settings.poolMin ?? 0,
      // Fail fast when the database is down, so readiness flips and requests
      // answer 503 instead of queueing.
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: settings.statementTimeoutMs,
    },
  };
}
