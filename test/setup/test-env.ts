import { asLogin, DEV_LOGINS } from '../../src/platform/database/logins';

/** What global setup hands to the test workers, through environment variables. */
export const TEST_ENV = {
  root: 'PASSERELLE_TEST_ROOT',
  certsDir: 'PASSERELLE_TEST_CERTS_DIR',
  adminUrl: 'PASSERELLE_TEST_ADMIN_URL',
  templateDatabase: 'PASSERELLE_TEST_TEMPLATE_DB',
  databasePrefix: 'PASSERELLE_TEST_DB_PREFIX',
  /** SOURCE_ENDPOINTS for the shared, fault-free demo sources. */
  sourceEndpoints: 'PASSERELLE_TEST_SOURCE_ENDPOINTS',
  /** The shared development IdP: its issuer, and the key it signs with. */
  oidcIssuer: 'PASSERELLE_TEST_OIDC_ISSUER',
  idpKeyFile: 'PASSERELLE_TEST_IDP_KEY_FILE',
} as const;

/** Where the shared dev IdP sends back the agencies' clients (afe, mess, retraite-qc) after sign-in. */
export const TEST_AGENCY_REDIRECT_URI = 'http://127.0.0.1/agency/callback';

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (value === undefined) throw new Error(`${TEST_ENV[name]} is not set: run the e2e tests through jest`);
  return value;
}

/** The same server as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The owner's login on the database of `url`: it may change the schema, and tamper with the audit log. */
export function ownerUrlOf(url: string): string {
  return asLogin(url, DEV_LOGINS.owner);
}

/** The superuser of the test server on the database of `url`. */
export function adminUrlOf(url: string): string {
  return withDatabase(testEnv('adminUrl'), new URL(url).pathname.slice(1));
}
