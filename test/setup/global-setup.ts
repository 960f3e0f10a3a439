import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { type DemoSources, startDemoSources } from '../../src/adapters/simulators/simulators';
import { ensureDevPki } from '../../src/identity/dev-pki/dev-pki';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { runMigrations } from '../../src/platform/database/migrate';
import { ensureDevSigningKey } from '../../src/platform/signing/signing-key';
import { TEST_ENV, withDatabase } from './test-env';

declare global {
  var __passerelleEmbedded: EmbeddedDatabase | undefined;
  var __passerelleSources: DemoSources | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
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
  const dataSource = new DataSource(
    dataSourceOptions({ url: withDatabase(adminUrl, template), poolMax: 2, statementTimeoutMs: 60_000 }),
  );
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  // The demo legacy systems, shared and fault-free; tests that turn fault
  // knobs start simulators of their own.
  globalThis.__passerelleSources = await startDemoSources({
    databaseAdminUrl: adminUrl,
    ramqDatabase: `${prefix}ramq`,
  });
  process.env[TEST_ENV.sourceEndpoints] = Object.entries(globalThis.__passerelleSources.endpoints)
    .map(([name, url]) => `${name}=${url}`)
    .join(',');

  process.env[TEST_ENV.root] = root;
  process.env[TEST_ENV.certsDir] = certsDir;
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.templateDatabase] = template;
  process.env[TEST_ENV.databasePrefix] = prefix;
}
