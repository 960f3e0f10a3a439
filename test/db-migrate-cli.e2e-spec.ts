import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../src/platform/database/data-source-options';
import { asLogin, DEV_LOGINS } from '../src/platform/database/logins';
import { testEnv } from './setup/test-env';
import { CLI_MAIN } from './support/cli';

/**
 * `db migrate`, as docker/compose.yaml's one-shot `migrate` service runs it
 * before the nodes, which are given the application's login only.
 */
describe('cli db migrate', () => {
  let applicationUrl: string;
  let ownerUrl: string;

  const cli = (args: string[], env: Record<string, string>): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, ...args], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        OIDC_ISSUER: 'https://idp.example',
        DATABASE_URL: applicationUrl,
        CERTS_DIR: testEnv('certsDir'),
        ...env,
      },
    });

  beforeAll(async () => {
    // An empty database of the owner's, as a fresh PostgreSQL primary has after its first start.
    const name = `${testEnv('databasePrefix')}${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: testEnv('adminUrl') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" OWNER ${DEV_LOGINS.owner.name}`);
    } finally {
      await admin.end();
    }
    applicationUrl = asLogin(testEnv('adminUrl'), DEV_LOGINS.application, name);
    ownerUrl = asLogin(testEnv('adminUrl'), DEV_LOGINS.owner, name);
  });

  it('migrates as the owner once, then finds nothing to do, and the application’s login alone can then work', () => {
    const first = cli(['db', 'migrate'], { DATABASE_OWNER_URL: ownerUrl });
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toContain(`applied ${MIGRATIONS.length} migration(s):`);
    expect(first.stdout.trim().split('\n')).toHaveLength(MIGRATIONS.length + 1);

    const again = cli(['db', 'migrate'], { DATABASE_OWNER_URL: ownerUrl });
    expect({ status: again.status, stdout: again.stdout }).toEqual({ status: 0, stdout: 'the schema is up to date\n' });

    // A node's view: no owner login, a schema that is current.
    const list = cli(['org', 'list'], {});
    expect({ status: list.status, stderr: list.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses to run without the owner’s login (usage error, exit 2)', () => {
    const run = cli(['db', 'migrate'], {});
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('db migrate needs DATABASE_OWNER_URL');
  });

  it('refuses an unknown db command (usage error, exit 2)', () => {
    const run = cli(['db', 'drop'], { DATABASE_OWNER_URL: ownerUrl });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown command 'drop'");
  });
});
