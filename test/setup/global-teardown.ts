import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { testEnv } from './test-env';

export default async function globalTeardown(): Promise<void> {
  await Promise.all([globalThis.__passerelleSources?.close(), globalThis.__passerelleIdp?.stop()]);
  const admin = new Client({ connectionString: testEnv('adminUrl') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [testEnv('databasePrefix')],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await globalThis.__passerelleEmbedded?.stop();
  rmSync(testEnv('root'), { recursive: true, force: true });
}
