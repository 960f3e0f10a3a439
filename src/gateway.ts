import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFile } from 'node:fs/promises';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { CitizenLinkRepository } from './adapters/citizen-link.repository';
import { seedDemoLinks } from './adapters/demo-links';
import { AppModule } from './app.module';
import { portalKey } from './portal/portal-options';
import { sessionToken } from './portal/portal-http';
import { hasVerifiedBearer } from './citizen-auth/bearer';
import { CitizenTokenVerifier } from './citizen-auth/citizen-token.verifier';
import type { Catalogue } from './contracts/catalogue';
import { listenOn } from './platform/net/listen';
import { loadPseudonymKey } from './audit/pseudonym-key';
import { SectorIdentifiers } from './identity/sector-identifier';
import { loadSectorKey } from './identity/sector-key';
import { loadContracts } from './contracts/contract-loader';
import { ADAPTER_KINDS } from './adapters/adapter-kinds';
import { agencyCallerIdentification } from './identity/agency-caller.decorator';
import { AgencyIdentityService } from './identity/agency-identity.service';
import { BindingCache } from './identity/binding-cache';
import { CrlStore } from './identity/crl/crl-store';
import { crlSourceOf } from './identity/crl/crl-source';
import { ContractsReloader } from './contracts/contracts-reloader';
import { type LocalReloads, wireReloads } from './cluster-reloads';
import { ClusterBus } from './platform/cluster/cluster-bus';
import { NodeRegistry } from './platform/cluster/node-registry';
import { seedDemoOrganisations } from './identity/demo-seed';
import { seedDemoWebhooks } from './notifications/demo-webhook-receiver';
import { NotificationRepository } from './notifications/notification.repository';
import { OrganisationRepository } from './identity/organisation.repository';
import { type AppConfig, publicBaseOf } from './platform/config/config';
import { migrateSchema } from './platform/database/migrate';
import { assertAppendOnlyLogin } from './audit/audit-privileges';
import { Readiness } from './platform/health/readiness';
import { createHttpServers, type HttpServers } from './platform/http/http-servers';
import { closeServer } from './platform/http/server-close';
import { Admission } from './platform/http/admission';
import { installRequestHooks, installRequestLogging } from './platform/http/request-hooks';
import { FrameworkLogger } from './platform/logging/framework-logger';
import { requestLogger } from './platform/logging/logging';
import { Metrics } from './platform/metrics/metrics';
import { createMetricsServer } from './platform/metrics/metrics-server';
import { OpenApiDocument } from './platform/openapi/openapi.controller';
import type { ListenerAddresses } from './platform/openapi/openapi-document';
import { apiReference } from './api-reference';
import { loadSigningKey } from './platform/signing/signing-key';

export interface GatewayOptions {
  /** The application's login: owns nothing, may only INSERT and SELECT on the audit log. */
  databaseUrl: string;
  /** The owner's login, which runs the migrations; without it the schema must already be current. */
  databaseOwnerUrl?: string;
  /** Where logs go; stdout when unset. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
  /** The contracts, when the caller loaded them already. */
  catalogue?: Catalogue;
  /** Source endpoint addresses to add to SOURCE_ENDPOINTS, e.g. the simulators'. */
  sourceEndpoints?: Record<string, string>;
  /** The demo agencies' webhook receiver, when it runs: the demo seed points their webhooks at it. */
  demoWebhookUrl?: string;
}

export interface Gateway {
  app: NestFastifyApplication;
  catalogue: Catalogue;
  servers: HttpServers;
  crl: CrlStore;
  /** Reloads the contracts and the CRL on this node (SIGHUP); `npm run cli -- contracts|crl reload` reaches every node. */
  reload(): Promise<LocalReloads>;
  /** Starts the agency, public and operations (metrics) listeners; resolves with their ports (0 in config: any). */
  listen(): Promise<{ agencyPort: number; publicPort: number; metricsPort: number }>;
  /** Not ready, drain in-flight requests, close listeners and the pool. Idempotent. */
  shutdown(): Promise<void>;
}

/** Assembles the gateway: TLS material, servers, Nest application, migrations, demo seed. */
export async function createGateway(config: AppConfig, options: GatewayOptions): Promise<Gateway> {
  // A bad contract stops the start here, naming its file and JSON pointer.
  const catalogue = options.catalogue ?? loadContracts(config.schemasDir, ADAPTER_KINDS);
  const sources = { ...config.sources, endpoints: { ...config.sources.endpoints, ...options.sourceEndpoints } };
  const [caPem, key, cert] = await Promise.all([
    readFile(config.tls.clientCa, 'utf8'),
    readFile(config.tls.serverKey, 'utf8'),
    readFile(config.tls.serverCert, 'utf8'),
  ]);
  const crl = await CrlStore.open(crlSourceOf(config.tls), caPem);
  const signingKey = await loadSigningKey(config.signingKeyFile);
  const pseudonymKey = await loadPseudonymKey(config.audit.pseudonymKeyFile);
  const sectorIdentifiers = new SectorIdentifiers(
    await loadSectorKey(config.sectorKeyFile, config.env === 'production'),
  );
  const agencyTls = { key, cert, ca: caPem, crl: crl.pem };
  const servers = createHttpServers({
    agencyTls,
    bodyLimitBytes: config.bodyLimitBytes,
    // A source's batch of up to 10,000 changes is about 1.3 MB.
    routeBodyLimits: { 'POST /v1/changes': Math.max(config.bodyLimitBytes, config.changes.bodyLimitBytes) },
    jsonMaxDepth: config.jsonMaxDepth,
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      config,
      databaseUrl: options.databaseUrl,
      signingKey,
      crl,
      sectorIdentifiers,
      catalogue,
      sources,
      audit: {
        databaseUrl: options.databaseUrl,
        pseudonymKey,
        checkpointDir: config.audit.checkpointDir,
        checkpointEvery: config.audit.checkpointEvery,
        checkpointIntervalMs: config.audit.checkpointIntervalMs,
      },
      logDestination: options.logDestination,
    }),
    new FastifyAdapter(servers.fastify),
    // Fastify's JSON parser is configured in createHttpServers (depth limit, 415 for the rest).
    { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  // Portal cookies are signed with a key derived from the pseudonym key.
  await app.register(fastifyCookie, { secret: portalKey(pseudonymKey, 'cookies').toString('base64url') });
  app.useLogger(new FrameworkLogger(app.get(Logger)));
  app.flushLogs();
  const logger = await app.resolve(PinoLogger);
  logger.setContext('gateway');

  const tokens = app.get(CitizenTokenVerifier);
  // Each organisation's rate limit is shared among the live nodes: each admits its part.
  const admission = new Admission(config.admission);
  const registry = app.get(NodeRegistry);
  registry.onLiveNodes((liveNodes) => admission.setLiveNodes(liveNodes));
  installRequestHooks(
    servers.fastify,
    agencyCallerIdentification(servers.fastify, app.get(AgencyIdentityService)),
    app.get(Metrics),
    admission,
    app.get(Readiness),
    {
      credentialed: async (request) =>
        sessionToken(request) !== undefined || (await hasVerifiedBearer(request, tokens)),
      bodyRate: config.bodyRate,
    },
  );
  installRequestLogging(servers.fastify, requestLogger(config.logLevel, options.logDestination));

  const dataSource = app.get(DataSource);
  try {
    const applied = await migrateSchema(dataSource, options.databaseOwnerUrl);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    // A log the gateway's own login could rewrite proves nothing: refuse to run as such a login.
    await assertAppendOnlyLogin((text) => dataSource.query(text));
  } catch (error) {
    await app.close();
    throw error;
  }
  if (config.demoSeed) {
    await seedDemoOrganisations(app.get(OrganisationRepository), config.tls.certsDir);
    await seedDemoLinks(app.get(CitizenLinkRepository));
    if (options.demoWebhookUrl !== undefined) {
      await seedDemoWebhooks(app.get(NotificationRepository), options.demoWebhookUrl);
    }
  }

  // New handshakes get the new CRL through the TLS context; connections already
  // open are re-checked per request by the identity service.
  crl.on('reloaded', (loaded) => {
    servers.agency.setSecureContext({ ...agencyTls, crl: loaded.pem });
    logger.info({ revoked: loaded.revokedSerials.size, nextUpdate: loaded.nextUpdate }, 'CRL reloaded');
  });
  crl.on('failed', (error) =>
    logger.error({ err: error, location: crl.source.location }, 'CRL reload failed; the previous CRL stays in force'),
  );
  // A CA-signed but older CRL written back would un-revoke what the newer one lists.
  crl.on('rejected', ({ reason, candidate, current }) =>
    logger.error(
      {
        reason,
        candidate: { number: candidate.number?.toString(), thisUpdate: candidate.thisUpdate },
        current: { number: current.number?.toString(), thisUpdate: current.thisUpdate },
      },
      'CRL rejected: not newer than the one in force, which stays in force',
    ),
  );
  crl.on('expired', (expired) =>
    logger.error(
      { nextUpdate: expired.nextUpdate },
      'the CRL is past its nextUpdate: it stays in force, and every agency handshake will fail',
    ),
  );
  crl.watch(config.tls.crlPollIntervalMs);
  // Certificate bindings are cached only while this node hears the notices that change them.
  const bus = app.get(ClusterBus);
  const bindings = app.get(BindingCache);
  bindings.trustWhile(() => bus.isConnected);
  const reloads = wireReloads({
    bus,
    host: registry.host,
    contracts: new ContractsReloader(
      catalogue,
      () => loadContracts(config.schemasDir, ADAPTER_KINDS),
      app.get(Metrics).registry,
      logger,
    ),
    crl,
    bindings,
    log: logger,
  });

  // The reference names the listeners' addresses; with port 0 (tests) they are known once listening.
  let listeners: ListenerAddresses = { agencyPort: config.agencyPort, publicUrl: publicBaseOf(config) };
  app.get(OpenApiDocument).provide(
    () => apiReference(catalogue, listeners),
    () => `${catalogue.revision} ${listeners.agencyPort} ${listeners.publicUrl}`,
  );
  await app.init();
  await servers.fastify.ready();
  const metricsServer = createMetricsServer(app.get(Metrics));

  let shutdownPromise: Promise<void> | undefined;
  return {
    app,
    catalogue,
    servers,
    crl,
    reload: () => reloads.reloadHere(),
    async listen() {
      const agencyPort = await listenOn(servers.agency, config.agencyPort, config.host);
      const publicPort = await listenOn(servers.public, config.publicPort, config.host);
      const metricsPort = await listenOn(metricsServer, config.metricsListen.port, config.metricsListen.host);
      listeners = { agencyPort, publicUrl: publicBaseOf({ publicBaseUrl: config.publicBaseUrl, publicPort }) };
      return { agencyPort, publicPort, metricsPort };
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        app.get(Readiness).markShuttingDown();
        if (config.shutdownGraceMs > 0) await new Promise((r) => setTimeout(r, config.shutdownGraceMs));
        crl.close();
        const [agencyCut, publicCut] = await Promise.all([
          closeServer(servers.agency, config.shutdownDrainTimeoutMs),
          closeServer(servers.public, config.shutdownDrainTimeoutMs),
          closeServer(metricsServer, config.shutdownDrainTimeoutMs),
        ]);
        // Those clients got no answer (a slow request, a TLS handshake never finished): the operator should know.
        if (agencyCut + publicCut > 0) {
          logger.warn({ agency: agencyCut, public: publicCut }, 'drain timeout reached; open connections cut');
        }
        // Once nothing more is admitted here: the other nodes take over this node's share of the rate limits.
        await registry.leave();
        await app.close();
      })();
      return shutdownPromise;
    },
  };
}
