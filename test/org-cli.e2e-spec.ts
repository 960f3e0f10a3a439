import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { ownerUrlOf, testEnv } from './setup/test-env';
import { citizenIdOf } from './support/citizen-ids';
import { createTestDatabase } from './support/test-gateway';
import { CLI_MAIN } from './support/cli';

/** The operator's commands for organisations' sectors, and the citizen identifiers they give. */
describe('cli org register --sector, org list, dev citizen-id', () => {
  let databaseUrl: string;

  const cli = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI_MAIN, ...args], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl,
        DATABASE_OWNER_URL: ownerUrlOf(databaseUrl),
        CERTS_DIR: testEnv('certsDir'),
      },
    });
  const ok = (args: string[]): string => {
    const run = cli(args);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    return run.stdout;
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  it('registers organisations in their sectors and lists them with how they name citizens', () => {
    expect(ok(['org', 'register', 'afe', '--name', 'Aide financière aux études', '--sector', 'education'])).toContain(
      'registered afe in sector education',
    );
    expect(
      ok(['org', 'register', 'legacy-agency', '--name', 'Legacy', '--sector', 'legacy', '--identifiers', 'pivot']),
    ).toContain('naming citizens by pivot id');
    const list = ok(['org', 'list']);
    expect(list).toMatch(/^afe +active +education +sector ids +0 cert\(s\) +Aide financière aux études$/m);
    expect(list).toMatch(/^legacy-agency +active +legacy +pivot ids +0 cert\(s\) +Legacy$/m);
  });

  it('prints the identifier by which an organisation names a citizen: its sector’s, or the pivot while it migrates', () => {
    ok(['org', 'register', 'afe', '--name', 'Aide financière aux études', '--sector', 'education']);
    expect(ok(['dev', 'citizen-id', '--org', 'afe', '--sub', 'demo-citizen-1']).trim()).toBe(
      citizenIdOf('afe', 'demo-citizen-1'),
    );
    ok(['org', 'register', 'legacy-agency', '--name', 'Legacy', '--sector', 'legacy', '--identifiers', 'pivot']);
    expect(ok(['dev', 'citizen-id', '--org', 'legacy-agency', '--sub', 'demo-citizen-1']).trim()).toBe(
      'demo-citizen-1',
    );
  });

  it.each([
    [['org', 'register', 'x', '--name', 'X'], /required option '--sector <sector>' not specified/],
    [['org', 'register', 'x', '--name', 'X', '--sector', 'Bad Sector'], /--sector must be/],
    [
      ['org', 'register', 'x', '--name', 'X', '--sector', 'ok', '--identifiers', 'hashed'],
      /'--identifiers <kind>' argument 'hashed' is invalid. Allowed choices are sector, pivot/,
    ],
    [['dev', 'citizen-id', '--sub', 'demo-citizen-1'], /required option '--org <id>' not specified/],
    [['dev', 'citizen-id', '--org', 'afe', '--sub', 'not a pivot'], /--sub must be a pivot id/],
  ])('refuses %j as a usage error (exit 2)', (args, message) => {
    const run = cli(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('says so when the organisation does not exist: the command line named it (usage error, exit 2)', () => {
    const run = cli(['dev', 'citizen-id', '--org', 'nobody', '--sub', 'demo-citizen-1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('No organisation "nobody"');
  });
});
