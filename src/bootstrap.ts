import { relative } from 'node:path';
import pino from 'pino';
import { probeEndpoint } from './adapters/probe';
import { loadContracts } from './contracts/contract-loader';
import { ADAPTER_KINDS } from './adapters/adapter-kinds';
import { type SimulatorProcess, startSimulatorProcess } from './adapters/simulators/simulator-process';
import { ensureDevPseudonymKey } from './audit/pseudonym-key';
import { ensureDevIdpKey } from './citizen-auth/dev-idp/dev-idp-key';
import type { DevIdpAgencyClient } from './citizen-auth/dev-idp/dev-idp';
import { startDevIdpProcess } from './citizen-auth/dev-idp/dev-idp-process';
import type { ChildService } from './platform/child-service';
import type { Catalogue } from './contracts/catalogue';
import { createGateway } from './gateway';
import {
  type DemoWebhookReceiver,
  demoWebhookReceiverWanted,
  startDemoWebhookReceiver,
} from './notifications/demo-webhook-receiver';
import {
  type DevMailServer,
  devMailWanted,
  startDevMailServer,
  withDevMail,
} from './notifications/dev-mail/dev-mail-server';
import { ensureDevPki } from './identity/dev-pki/dev-pki';
import { DEMO_BINDINGS, DEMO_ORGANISATIONS } from './identity/demo-seed';
import { ensureDevSectorKey } from './identity/sector-key';
import type { AppConfig } from './platform/config/config';
import { portalRedirectUri } from './portal/portal-options';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './platform/database/embedded-postgres';
import { provisionLogins } from './platform/database/logins';
import { ensureDevSigningKey } from './platform/signing/signing-key';
import type { Telemetry } from './platform/telemetry/telemetry';

/** Where the dev IdP sends an agency's browser back: a loopback address, as for a developer's own client. */
const DEV_AGENCY_REDIRECT_URI = 'http://127.0.0.1/callback';

/**
 * The demo requesting agencies (those with a demo certificate) as the dev
 * IdP's clients, each with its sector: the IdP gives them pairwise subjects.
 */
function demoAgencyClients(redirectUris: string[]): DevIdpAgencyClient[] {
  const requesting = new Set(DEMO_BINDINGS.map((binding) => binding.organisation));
  return DEMO_ORGANISATIONS.filter((organisation) => requesting.has(organisation.id)).map((organisation) => ({
    clientId: organisation.id,
    sector: organisation.sector,
    redirectUris,
  }));
}

function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd.startsWith('..') ? path : fromCwd;
}

function citizenCall(publicPort: number, issuer: string): string {
  return [
    `Development IdP: ${issuer} (choose a demo citizen or the demo privacy officer; no password)`,
    `Portal (citizens and privacy officers): http://localhost:${publicPort}/`,
    'As demo citizen 1, over the API:',
    '  TOKEN=$(npm run -s cli -- dev token --sub demo-citizen-1)',
    `  curl -H "Authorization: Bearer $TOKEN" http://localhost:${publicPort}/v1/me`,
    '',
  ].join('\n');
}

function firstCall(config: AppConfig, agencyPort: number, publicPort: number, metricsPort: number): string {
  const certs = displayPath(config.tls.certsDir);
  const { host } = config.metricsListen;
  return [
    '',
    'Passerelle is running.',
    `  agency API (mutual TLS): https://localhost:${agencyPort}`,
    `  public listener:         http://localhost:${publicPort}  (API docs: http://localhost:${publicPort}/docs)`,
    `  metrics (operations):    http://${host.includes(':') ? `[${host}]` : host}:${metricsPort}/metrics`,
    '',
    'First call, as the demo agency "afe":',
    `  curl --cacert ${certs}/agency-ca.crt --cert ${certs}/agencies/afe.crt --key ${certs}/agencies/afe.key \\`,
    `       https://localhost:${agencyPort}/v1/whoami`,
    '',
  ].join('\n');
}

async function sourcesTable(catalogue: Catalogue, endpoints: Record<string, string>): Promise<string> {
  const rows = await Promise.all(
    catalogue.contracts.map(async (contract) => {
      const url = endpoints[contract.source.endpoint] ?? '';
      const live = url !== '' && (await probeEndpoint(url));
      const shown = url.replace(/\/\/[^@/]*@/, '//');
      return `  ${contract.owner.padEnd(5)} ${`${contract.product} v${contract.version}`.padEnd(27)} ${contract.source.adapter.padEnd(12)} ${shown.padEnd(42)} ${live ? 'live' : 'DOWN'}`;
    }),
  );
  return ['Data sources:', ...rows, ''].join('\n');
}

/**
 * `npm start`: development conveniences first (PKI, signing key, embedded
 * PostgreSQL), then the gateway, then the signal handlers that shut it all
 * down in order: not ready, drain, close the pool, stop the database.
 */
export async function bootstrap(config: AppConfig, telemetry: Telemetry | null): Promise<void> {
  const log = pino({ level: config.logLevel, base: { context: 'bootstrap' } });
  // Contracts first: a bad one stops the start, naming its file and JSON pointer, before anything is started.
  const catalogue = loadContracts(config.schemasDir, ADAPTER_KINDS);
  if (config.generateDevPki) {
    const { generated } = await ensureDevPki(config.tls.certsDir);
    if (generated) log.info({ dir: config.tls.certsDir }, 'development PKI generated');
    if (await ensureDevSigningKey(config.signingKeyFile)) log.info('development signing key generated');
    if (await ensureDevPseudonymKey(config.audit.pseudonymKeyFile))
      log.info('development audit pseudonym key generated');
    if (await ensureDevSectorKey(config.sectorKeyFile)) log.info('demo sector identifier key written');
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  let databaseOwnerUrl = config.databaseOwnerUrl;
  // The demo's SQL source creates a database and a role of its own: not with the gateway's logins.
  let sourcesAdminUrl = config.sources.simulatorDatabaseUrl ?? databaseOwnerUrl ?? databaseUrl;
  if (databaseUrl === undefined) {
    log.info({ dir: config.embeddedPg.dir, port: config.embeddedPg.port }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dir: config.embeddedPg.dir,
      port: config.embeddedPg.port,
      log: (message) => log.debug({ postgres: message.trim() }),
    });
    // Two logins, as in production: the owner migrates, the gateway runs as a login that owns nothing.
    const logins = await provisionLogins(embedded.url, embedded.database);
    databaseUrl = logins.applicationUrl;
    databaseOwnerUrl = logins.ownerUrl;
    sourcesAdminUrl = embedded.url;
  }

  let simulators: SimulatorProcess | undefined;
  let devIdp: ChildService<string> | undefined;
  let receiver: DemoWebhookReceiver | undefined;
  let devMail: DevMailServer | undefined;
  const stopDatabase = async (): Promise<void> => {
    await Promise.all([simulators?.stop(), devIdp?.stop(), receiver?.close(), devMail?.close()]);
    if (embedded !== undefined) await embedded.stop();
  };

  let gateway;
  let gatewayConfig = config;
  try {
    if (config.sources.simulators) {
      simulators = await startSimulatorProcess(sourcesAdminUrl ?? databaseUrl, config.sources.simulatorBasePort);
      log.info({ endpoints: Object.keys(simulators.endpoints) }, 'demo legacy-system simulators started');
    }
    if (demoWebhookReceiverWanted(config)) {
      receiver = await startDemoWebhookReceiver({ port: config.sources.demoWebhookPort });
      log.info({ url: receiver.url }, "demo agencies' webhook receiver started");
    }
    if (devMailWanted(config)) {
      const { mailDir, devMail: ports } = config.notifications;
      devMail = await startDevMailServer({ dir: mailDir, smtpPort: ports.smtpPort, httpPort: ports.httpPort });
      // Citizens' messages go through SMTP as in production, to a server that keeps them for reading.
      gatewayConfig = withDevMail(gatewayConfig, devMail);
      log.info({ smtp: devMail.smtpUrl, inbox: devMail.inboxUrl }, 'development mail server started');
    }
    if (config.citizenAuth.devIdp.enabled) {
      const { devIdp: options, audience, roleClaim } = config.citizenAuth;
      if (await ensureDevIdpKey(options.keyFile)) log.info('development IdP key generated');
      devIdp = await startDevIdpProcess({
        port: options.port,
        keyFile: options.keyFile,
        audience,
        roleClaim,
        portalClientId: config.citizenAuth.portalClientId,
        redirectUris: [portalRedirectUri(config)],
        agencies: { clients: demoAgencyClients([DEV_AGENCY_REDIRECT_URI]), sectorKeyFile: config.sectorKeyFile },
      });
      // The gateway trusts the IdP it started.
      gatewayConfig = { ...gatewayConfig, citizenAuth: { ...config.citizenAuth, issuer: devIdp.detail } };
      log.info({ issuer: devIdp.detail }, 'development IdP started');
    }
    gateway = await createGateway(gatewayConfig, {
      databaseUrl,
      databaseOwnerUrl,
      catalogue,
      sourceEndpoints: simulators?.endpoints,
      demoWebhookUrl: receiver?.url,
    });
  } catch (error) {
    await stopDatabase();
    throw error;
  }
  const { agencyPort, publicPort, metricsPort } = await gateway.listen();
  // Before the banner: whoever reads it (a process manager, a test) may signal at once.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await gateway.shutdown();
      await stopDatabase();
      await telemetry?.shutdown();
      log.info('stopped');
      process.exitCode = 0;
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const endpoints = { ...config.sources.endpoints, ...simulators?.endpoints };
  process.stdout.write(
    firstCall(config, agencyPort, publicPort, metricsPort) +
      '\n' +
      (devIdp === undefined ? '' : citizenCall(publicPort, devIdp.detail) + '\n') +
      (receiver === undefined ? '' : `Webhooks received by the demo agencies: ${receiver.receivedUrl}\n\n`) +
      (devMail === undefined ? '' : `Messages to citizens (development inbox): ${devMail.inboxUrl}\n\n`) +
      (await sourcesTable(gateway.catalogue, endpoints)) +
      '\n',
  );

  // SIGHUP reloads the contracts and re-reads the CRL on this node, at once (the CLI's reloads reach every node).
  process.on('SIGHUP', () => void gateway.reload());
}
