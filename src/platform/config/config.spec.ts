import { ConfigError, loadConfig } from './config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/srv/passerelle');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working development defaults', () => {
    const config = loadConfig({}, '/srv/passerelle');
    expect(config).toMatchObject({
      env: 'development',
      agencyPort: 8443,
      publicPort: 8080,
      databaseUrl: undefined,
      generateDevPki: true,
      demoSeed: true,
      bodyLimitBytes: 1048576,
    });
    expect(config.tls.crl).toBe('/srv/passerelle/certs-dev/agency-ca.crl');
    expect(config.signingKeyFile).toBe('/srv/passerelle/certs-dev/signing-key.pem');
  });

  it('names every bad variable', () => {
    expect(problems({ AGENCY_PORT: 'https', PUBLIC_PORT: '70000', NODE_ENV: 'staging' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AGENCY_PORT: /),
        expect.stringMatching(/^PUBLIC_PORT: /),
        expect.stringMatching(/^NODE_ENV: must be one of development, test, production/),
      ]),
    );
  });

  it('serves metrics on loopback by default, and reads METRICS_LISTEN as host:port', () => {
    expect(loadConfig({}, '/srv/passerelle').metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: '0.0.0.0:0' }, '/srv/passerelle').metricsListen).toEqual({
      host: '0.0.0.0',
      port: 0,
    });
    expect(loadConfig({ METRICS_LISTEN: '[::1]:9100' }, '/srv/passerelle').metricsListen).toEqual({
      host: '::1',
      port: 9100,
    });
    for (const bad of ['9464', 'localhost:', 'localhost:70000', 'http://localhost:9464', '::1:9464']) {
      expect(problems({ METRICS_LISTEN: bad })).toEqual([expect.stringMatching(/^METRICS_LISTEN: /)]);
    }
  });

  it('keeps half the pool open unless DB_POOL_MIN says, and never more than DB_POOL_MAX', () => {
    expect(loadConfig({}).dbPoolMin).toBe(10);
    expect(loadConfig({ DB_POOL_MAX: '5' }).dbPoolMin).toBe(3);
    expect(loadConfig({ DB_POOL_MIN: '0' }).dbPoolMin).toBe(0);
    expect(loadConfig({ DB_POOL_MAX: '8', DB_POOL_MIN: '8' }).dbPoolMin).toBe(8);
    expect(problems({ DB_POOL_MAX: '4', DB_POOL_MIN: '5' })).toEqual(['DB_POOL_MIN: must not exceed DB_POOL_MAX (4)']);
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(problems({ DATABASE_URL: 'mysql://x' })).toEqual([expect.stringMatching(/^DATABASE_URL: /)]);
  });

  it('requires DATABASE_URL and OIDC_ISSUER in production and turns development conveniences off there', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: is required/),
      expect.stringMatching(/^OIDC_ISSUER: is required/),
    ]);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/passerelle',
      OIDC_ISSUER: 'https://idp.example.gouv.qc.ca',
    });
    expect(config.generateDevPki).toBe(false);
    expect(config.demoSeed).toBe(false);
    expect(config.sources.simulators).toBe(false);
    expect(config.citizenAuth.devIdp.enabled).toBe(false);
    expect(config.citizenAuth.issuer).toBe('https://idp.example.gouv.qc.ca');
    expect(config.notifications.webhookNetworks).toEqual([]);
  });

  it('lets webhooks reach any address outside production, and only listed networks beyond public ones in it', () => {
    expect(loadConfig({}, '/srv').notifications.webhookNetworks).toBe('any');
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/passerelle',
      OIDC_ISSUER: 'https://idp.example.gouv.qc.ca',
    };
    const listed = loadConfig({ ...production, WEBHOOK_ALLOWED_NETWORKS: ' 10.20.0.0/16, fd00:20::/32 ' });
    expect(listed.notifications.webhookNetworks).toEqual(['10.20.0.0/16', 'fd00:20::/32']);
    expect(problems({ ...production, WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, 10.0.0.1, intranet' })).toEqual([
      'WEBHOOK_ALLOWED_NETWORKS: not a CIDR network: 10.0.0.1, intranet',
    ]);
  });

  it('trusts the development IdP by default outside production', () => {
    const { citizenAuth } = loadConfig({ DEV_IDP_PORT: '9100' }, '/srv');
    expect(citizenAuth).toEqual({
      issuer: 'http://localhost:9100',
      audience: 'urn:passerelle:api',
      roleClaim: 'roles',
      portalClientId: 'passerelle-portal',
      devIdp: { enabled: true, port: 9100, keyFile: '/srv/certs-dev/dev-idp-key.json' },
    });
  });

  it('coerces booleans and numbers, and treats empty strings as unset', () => {
    const config = loadConfig({ GENERATE_DEV_PKI: 'false', AGENCY_PORT: '9443', PUBLIC_PORT: '' });
    expect(config.generateDevPki).toBe(false);
    expect(config.agencyPort).toBe(9443);
    expect(config.publicPort).toBe(8080);
  });

  it('lets each TLS file be configured on its own', () => {
    const config = loadConfig({ TLS_CRL: '/etc/pki/agency.crl', CERTS_DIR: '/etc/pki' }, '/srv');
    expect(config.tls.crl).toBe('/etc/pki/agency.crl');
    expect(config.tls.serverCert).toBe('/etc/pki/server.crt');
  });

  it('links messages to the public listener unless PORTAL_BASE_URL names the portal', () => {
    expect(loadConfig({ PUBLIC_PORT: '8181' }, '/srv').notifications.portalBaseUrl).toBe('http://localhost:8181');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://passerelle.example/' }, '/srv').notifications.portalBaseUrl).toBe(
      'https://passerelle.example',
    );
    expect(
      loadConfig({ PORTAL_BASE_URL: 'https://portail.example/', PUBLIC_BASE_URL: 'https://api.example' }, '/srv')
        .notifications.portalBaseUrl,
    ).toBe('https://portail.example');
  });

  it('runs the development mail server outside production, and sends text messages only over HTTPS in it', () => {
    expect(loadConfig({}, '/srv').notifications).toMatchObject({
      smtpUrl: undefined,
      sms: { url: undefined, token: undefined },
      devMail: { enabled: true, smtpPort: 1025, httpPort: 1080 },
    });
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/p', OIDC_ISSUER: 'https://idp.example' };
    expect(loadConfig(production, '/srv').notifications.devMail.enabled).toBe(false);
    expect(problems({ ...production, SMS_URL: 'http://sms.example/send' })).toEqual([
      'SMS_URL: must be https:// when NODE_ENV is production',
    ]);
    expect(problems({ SMS_TOKEN: 'two words' })).toEqual([expect.stringMatching(/^SMS_TOKEN: /)]);
    expect(problems({ SMS_TOKEN: 'two words' })[0]).not.toContain('two words');
  });
});
