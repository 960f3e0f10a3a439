import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type DemoSources, startDemoSources } from '../../src/adapters/simulators/simulators';
import { ensureDevPseudonymKey } from '../../src/audit/pseudonym-key';
import { ensureDevIdpKey } from '../../src/citizen-auth/dev-idp/dev-idp-key';
import type { DevIdpAgencyClient } from '../../src/citizen-auth/dev-idp/dev-idp';
import { startDevIdpProcess } from '../../src/citizen-auth/dev-idp/dev-idp-process';
import { ensureDevPki } from '../../src/identity/dev-pki/dev-pki';
import { DEMO_BINDINGS, DEMO_ORGANISATIONS } from '../../src/identity/demo-seed';
import { ensureDevSectorKey } from '../../src/identity/sector-key';
import type { ChildService } from '../../src/platform/child-service';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { provisionLogins } from '../../src/platform/database/logins';
import { migrateAsOwner } from '../../src/platform/database/migrate';
import { ensureDevSigningKey } from '../../src/platform/signing/signing-key';
import { TEST_AGENCY_REDIRECT_URI, TEST_ENV } from './test-env';
import { freePort } from '../../src/platform/net/listen';

declare global {
  var __passerelleEmbedded: EmbeddedDatabase | undefined;
  var __passerelleSources: DemoSources | undefined;
  var __passerelleIdp: ChildService<string> | undefined;
}

/** The dev IdP runs from the build, as `npm start` runs it: oidc-provider is an ES module. */
const DEV_IDP_MAIN = join(__dirname, '..', '..', 'dist', 'citizen-auth', 'dev-idp', 'main.js');

/** The demo requesting agencies (those with a demo certificate) as the IdP's pairwise clients, as `npm start` has them. */
function demoAgencyClients(): DevIdpAgencyClient[] {
  const requesting = new Set(DEMO_BINDINGS.map((binding) => binding.organisation));
  return DEMO_ORGANISATIONS.filter((organisation) => requesting.has(organisation.id)).map((organisation) => ({
    clientId: organisation.id,
    sector: organisation.sector,
    redirectUris: [TEST_AGENCY_REDIRECT_URI],
  }));
}

/**
 * Once per run: a PKI of its own, a PostgreSQL (embedded, or the server named
 * by DATABASE_URL), and a migrated template database that each test file
 * clones, so files can suspend organisations or revoke certificates without
 * disturbing each other.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'passerelle-test-'));
  // As root, the embedded cluster runs as `postgres`, which must reach its directory.
  chmodSync(root, 0o755);
  const certsDir = join(root, 'certs');
  await ensureDevPki(certsDir);
  await ensureDevSigningKey(join(certsDir, 'signing-key.pem'));
  await ensureDevPseudonymKey(join(certsDir, 'audit-pseudonym.key'));
  // The gateway's default SECTOR_KEY_FILE in CERTS_DIR: the demo key, which the IdP derives pairwise subjects with too.
  const sectorKeyFile = join(certsDir, 'sector-identifier.key');
  await ensureDevSectorKey(sectorKeyFile);

  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl === undefined || adminUrl === '') {
    globalThis.__passerelleEmbedded = await startEmbeddedPostgres({
      dir: join(root, 'postgres'),
      port: await freePort(),
      ephemeral: true,
    });
    adminUrl = globalThis.__passerelleEmbedded.url;
  }

  const prefix = `passerelle_t${process.pid}_`;
  const template = `${prefix}template`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  // Two logins, as the gateway runs in production: the owner migrates the template that each file clones.
  const { ownerUrl } = await provisionLogins(adminUrl, template);
  await migrateAsOwner(ownerUrl);

  // The demo legacy systems, shared and fault-free; tests that turn fault
  // knobs start simulators of their own.
  globalThis.__passerelleSources = await startDemoSources({
    databaseAdminUrl: adminUrl,
    ramqDatabase: `${prefix}ramq`,
  });
  process.env[TEST_ENV.sourceEndpoints] = Object.entries(globalThis.__passerelleSources.endpoints)
    .map(([name, url]) => `${name}=${url}`)
    .join(',');

  // The real development OpenID Provider, shared: its keys, discovery and flows.
  if (!existsSync(DEV_IDP_MAIN)) throw new Error(`${DEV_IDP_MAIN} is missing: npm test builds it first (pretest)`);
  const idpKeyFile = join(certsDir, 'dev-idp-key.json');
  await ensureDevIdpKey(idpKeyFile);
  globalThis.__passerelleIdp = await startDevIdpProcess({
    script: DEV_IDP_MAIN,
    port: 0,
    keyFile: idpKeyFile,
    audience: 'urn:passerelle:api',
    roleClaim: 'roles',
    portalClientId: 'passerelle-portal',
    redirectUris: ['http://127.0.0.1/auth/callback'],
    agencies: { clients: demoAgencyClients(), sectorKeyFile },
  });
  process.env[TEST_ENV.oidcIssuer] = globalThis.__passerelleIdp.detail;
  process.env[TEST_ENV.idpKeyFile] = idpKeyFile;

  process.env[TEST_ENV.root] = root;
  process.env[TEST_ENV.certsDir] = certsDir;
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.templateDatabase] = template;
  process.env[TEST_ENV.databasePrefix] = prefix;
}
