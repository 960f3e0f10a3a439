import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { revokeCertificate } from '../src/identity/dev-pki/dev-pki';
import { certificateFacts } from '../src/identity/demo-seed';
import { agencyAgent, agencyConnection, call } from './support/agency-client';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

describe('CRL reload', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway({ privateCerts: true });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('revokes a certificate without a restart, on connections already open and on new ones', async () => {
    let handshakes = 0;
    t.gateway.servers.agency.on('secureConnection', () => handshakes++);

    const connection = agencyConnection(t.agencyUrl, t.certsDir, 'afe');
    const before = await call(connection, `${t.agencyUrl}/v1/whoami`);
    expect(before.status).toBe(200);
    expect(handshakes).toBe(1);

    const afePem = readFileSync(join(t.certsDir, 'agencies', 'afe.crt'), 'utf8');
    const { serialNumber } = certificateFacts(afePem);
    await revokeCertificate(t.certsDir, afePem);
    await eventually(() => t.gateway.crl.revokedSerials.has(serialNumber), 'the CRL to be reloaded');

    // Same kept-alive connection, no new handshake: refused all the same.
    const after = await call(connection, `${t.agencyUrl}/v1/whoami`);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'client-certificate-invalid' });
    expect(handshakes).toBe(1);

    // A new connection is refused by the TLS layer itself (OpenSSL's CRL check).
    const fresh = agencyAgent(t.certsDir, 'afe');
    const newConnection = await call(fresh, `${t.agencyUrl}/v1/whoami`);
    expect(newConnection.status).toBe(401);
    expect(handshakes).toBe(2);
    const refusals = t.logs.filter((line) => line.event === 'agency-refused' && line.reason === 'certificate-revoked');
    expect(refusals.map((line) => line.tlsError)).toEqual([undefined, 'CERT_REVOKED']);

    // Other agencies are unaffected.
    const mess = agencyAgent(t.certsDir, 'mess');
    expect((await call(mess, `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
    await Promise.all([connection.close(), fresh.close(), mess.close()]);
  });

  it('keeps the previous CRL in force when the new file is not signed by the agency CA', async () => {
    const crlPath = join(t.certsDir, 'agency-ca.crl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(crlPath, '-----BEGIN X509 CRL-----\nbm90IGEgY3Js\n-----END X509 CRL-----\n');
    await eventually(
      () => t.logs.some((line) => line.msg === 'CRL reload failed; the previous CRL stays in force'),
      'the reload failure to be logged',
    );
    const afePem = readFileSync(join(t.certsDir, 'agencies', 'afe.crt'), 'utf8');
    expect(t.gateway.crl.revokedSerials.has(certificateFacts(afePem).serialNumber)).toBe(true);
  });
});
