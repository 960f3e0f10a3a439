import { type DynamicModule, Global, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from './config/config';
import { ClusterBus } from './cluster/cluster-bus';
import { clusterProviders } from './cluster/cluster-providers';
import { NodeRegistry } from './cluster/node-registry';
import { dataSourceOptions } from './database/data-source-options';
import { READ_REPLICA_OPTIONS, ReadReplica } from './database/read-replica';
import { Sql } from './database/sql';
import { PROBLEM_PAGE, type ProblemPage } from './errors/problem-page';
import { ProblemFilter } from './errors/problem.filter';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
import { ListenerGuard } from './http/listener.guard';
import { loggerParams } from './logging/logging';
import { Metrics } from './metrics/metrics';
import { OpenApiController, OpenApiDocument } from './openapi/openapi.controller';
import { JwksController, SIGNING_KEY } from './signing/jwks.controller';
import type { SigningKey } from './signing/signing-key';

export interface PlatformOptions {
  config: AppConfig;
  databaseUrl: string;
  signingKey: SigningKey;
  logDestination?: DestinationStream;
  /** Error pages for people's browsers (the portal's); without it every error is problem+json. */
  problemPage?: ProblemPage;
}

/**
 * Config, database, logging, errors, health, metrics, JWKS and OpenAPI: what
 * every context relies on. The one global module; the contexts import each other.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationBootstrap {
  constructor(private readonly sql: Sql) {}

  /** The pool's kept connections (DB_POOL_MIN) are open before the listeners take requests. */
  async onApplicationBootstrap(): Promise<void> {
    await this.sql.warm();
  }

  static forRoot(options: PlatformOptions): DynamicModule {
    const { config } = options;
    return {
      module: PlatformModule,
      imports: [
        // The environment was validated once in loadConfig; Nest receives the typed result.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ app: config })] }),
        LoggerModule.forRoot(loggerParams(config.logLevel, options.logDestination)),
        TypeOrmModule.forRoot({
          ...dataSourceOptions({
            url: options.databaseUrl,
            poolMax: config.dbPoolMax,
            poolMin: config.dbPoolMin,
            statementTimeoutMs: config.dbStatementTimeoutMs,
          }),
          // Each context's module registers its own entities with TypeOrmModule.forFeature.
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      // /metrics is served by the operations listener (metrics-server.ts), never the public one.
      controllers: [HealthController, JwksController, OpenApiController],
      providers: [
        Sql,
        ReadReplica,
        {
          provide: READ_REPLICA_OPTIONS,
          useValue: {
            url: config.databaseReplicaUrl,
            poolMax: config.dbPoolMax,
            statementTimeoutMs: config.dbStatementTimeoutMs,
          },
        },
        Readiness,
        Metrics,
        ...clusterProviders({ databaseUrl: options.databaseUrl, heartbeatMs: config.cluster.heartbeatMs }),
        OpenApiDocument,
        { provide: SIGNING_KEY, useValue: options.signingKey },
        { provide: APP_GUARD, useClass: ListenerGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        ...(options.problemPage === undefined ? [] : [{ provide: PROBLEM_PAGE, useValue: options.problemPage }]),
      ],
      exports: [Sql, ReadReplica, Readiness, Metrics, ClusterBus, NodeRegistry, OpenApiDocument, SIGNING_KEY],
    };
  }
}
