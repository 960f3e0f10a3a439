/**
 * A CRL the agency CA signed stays valid forever, so an older one written back
 * over the file must not un-revoke what a newer one lists; and a CRL past its
 * nextUpdate keeps refusing what it lists while it raises the alarm.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Crl } from '@peculiar/x509';
import { certificateFacts } from '../src/identity/demo-seed';
import { crlNumberOf, revokeCertificate } from '../src/identity/dev-pki/dev-pki';
import { Metrics } from '../src/platform/metrics/metrics';
import { agencyAgent, call } from './support/agency-client';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';
import { testEnv } from './setup/test-env';

const DAY = 24 * 60 * 60 * 1000;

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** afe over a fresh mTLS connection: a new handshake against the TLS context in force. */
async function whoamiAsAfe(t: TestGateway, certsDir: string): Promise<ReturnType<typeof call>> {
  const agent = agencyAgent(certsDir, 'afe');
  try {
    return await call(agent, `${t.agencyUrl}/v1/whoami`);
  } finally {
    await agent.close();
  }
}

async function crlExpiredGauge(t: TestGateway): Promise<number | undefined> {
  // Read from the application's registry, not over HTTP: where /metrics is served may change.
  const metric = t.gateway.app.get(Metrics).registry.getSingleMetric('passerelle_crl_expired');
  const { values } = (await metric?.get()) ?? { values: [] };
  return values[0]?.value;
}

describe('CRL succession', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ privateCerts: true });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('refuses an older CA-signed CRL written back, and the revoked agency stays out', async () => {
    const crlPath = join(t.certsDir, 'agency-ca.crl');
    const olderPem = readFileSync(crlPath, 'utf8');
    const afePem = readFileSync(join(t.certsDir, 'agencies', 'afe.crt'), 'utf8');
    const { serialNumber } = certificateFacts(afePem);
    expect((await whoamiAsAfe(t, t.certsDir)).status).toBe(200);

    // Issued a few seconds after the setup's CRL: thisUpdate counts whole seconds.
    await revokeCertificate(t.certsDir, afePem, new Date(Date.now() + 2_000));
    await eventually(() => t.gateway.crl.revokedSerials.has(serialNumber), 'the newer CRL to be loaded');
    expect((await whoamiAsAfe(t, t.certsDir)).status).toBe(401);

    const older = new X509Crl(olderPem);
    const newer = new X509Crl(readFileSync(crlPath, 'utf8'));
    expect(crlNumberOf(older)).toBeLessThan(crlNumberOf(newer));
    expect(older.thisUpdate.getTime()).toBeLessThan(newer.thisUpdate.getTime());

    // The attack: the older list, still validly signed by the agency CA, put back.
    writeAtomically(crlPath, olderPem);
    await expect(t.gateway.crl.reload()).resolves.toEqual({ outcome: 'rejected', reason: 'this-update-older' });
    await eventually(
      () => t.logs.some((line) => line.msg?.startsWith('CRL rejected') === true && line.reason === 'this-update-older'),
      'the rejection to be logged',
    );

    expect(t.gateway.crl.revokedSerials.has(serialNumber)).toBe(true);
    const refused = await whoamiAsAfe(t, t.certsDir);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'client-certificate-invalid' });
    // Refused by OpenSSL at the handshake: the TLS context still holds the newer CRL.
    const refusals = t.logs.filter((line) => line.event === 'agency-refused' && line.reason === 'certificate-revoked');
    expect(refusals.at(-1)?.tlsError).toBe('CERT_REVOKED');
    // Another agency is unaffected.
    const mess = agencyAgent(t.certsDir, 'mess');
    expect((await call(mess, `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
    await mess.close();
  });
});

describe('an expired CRL', () => {
  let t: TestGateway;
  let certsDir: string;
  let afeSerial: string;

  beforeAll(async () => {
    certsDir = join(testEnv('root'), `certs-${randomBytes(4).toString('hex')}`);
    cpSync(testEnv('certsDir'), certsDir, { recursive: true });
    const afePem = readFileSync(join(certsDir, 'agencies', 'afe.crt'), 'utf8');
    afeSerial = certificateFacts(afePem).serialNumber;
    // Issued 31 days ago for 30 days: its nextUpdate was yesterday.
    await revokeCertificate(certsDir, afePem, new Date(Date.now() - 31 * DAY));
    t = await startTestGateway({ env: { CERTS_DIR: certsDir } });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('keeps refusing the certificates it lists, raises the gauge and logs an error', async () => {
    expect(t.gateway.crl.revokedSerials.has(afeSerial)).toBe(true);
    const refused = await whoamiAsAfe(t, certsDir);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'client-certificate-invalid' });

    expect(await crlExpiredGauge(t)).toBe(1);
    expect(t.gateway.crl.isExpired()).toBe(true);
    const alarm = t.logs.find((line) => line.msg?.startsWith('the CRL is past its nextUpdate') === true);
    expect(alarm?.level).toBe(50);
  });
});
