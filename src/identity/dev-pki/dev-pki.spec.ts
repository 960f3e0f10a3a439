import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { X509Crl } from '@peculiar/x509';
import {
  crlNumberOf,
  DEMO_AGENCIES,
  DEMO_SOURCE_AGENCIES,
  devPkiPaths,
  ensureDevPki,
  REFUSED_IDENTITIES,
  revokeCertificate,
} from './dev-pki';

const IDENTITIES = [...DEMO_AGENCIES, ...DEMO_SOURCE_AGENCIES, ...REFUSED_IDENTITIES];

// Several tests make a whole PKI: about fifteen RSA keys, whose generation takes as long as finding their primes
// does, on a machine that runs the other suites meanwhile (from 7 s to over a minute on a busy 2-core runner).
jest.setTimeout(300_000);

describe('development PKI', () => {
  let dir: string;
  const paths = () => devPkiPaths(dir);
  const read = (path: string): string => readFileSync(path, 'utf8');
  const cert = (name: string): NodeX509Certificate => new NodeX509Certificate(read(paths().agencyCert(name)));
  const serial = (name: string): string => cert(name).serialNumber.toLowerCase();
  const crl = (): X509Crl => new X509Crl(read(paths().crl));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-pki-'));
    await expect(ensureDevPki(dir)).resolves.toEqual({ generated: true });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every file of the layout', () => {
    const p = paths();
    for (const file of [p.caCert, p.caKey, p.crl, p.serverCert, p.serverKey, p.rogueCaCert, p.rogueCaKey]) {
      expect(existsSync(file)).toBe(true);
    }
    for (const name of IDENTITIES) {
      expect(existsSync(p.agencyCert(name))).toBe(true);
      expect(existsSync(p.agencyKey(name))).toBe(true);
    }
  });

  it('chains the agency identities to the agency CA and rogue to the rogue CA', () => {
    const ca = new NodeX509Certificate(read(paths().caCert));
    const rogueCa = new NodeX509Certificate(read(paths().rogueCaCert));
    for (const name of [
      'afe',
      'mess',
      'retraite-qc',
      'dec',
      'rq',
      'saaq',
      'ramq',
      'revoked',
      'expired',
      'unregistered',
    ]) {
      expect(cert(name).verify(ca.publicKey)).toBe(true);
      expect(cert(name).subject).toContain(`CN=${name}`);
    }
    expect(cert('rogue').verify(ca.publicKey)).toBe(false);
    expect(cert('rogue').verify(rogueCa.publicKey)).toBe(true);
    expect(new Date(cert('expired').validTo).getTime()).toBeLessThan(Date.now());
    expect(new Date(cert('afe').validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('names localhost and loopback in the server certificate', () => {
    const server = new NodeX509Certificate(read(paths().serverCert));
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('signs a CRL with the agency CA that lists revoked and not afe', async () => {
    const { X509Certificate } = await import('@peculiar/x509');
    expect(await crl().verify({ publicKey: new X509Certificate(read(paths().caCert)) })).toBe(true);
    const listed = crl().entries.map((entry) => entry.serialNumber.toLowerCase());
    expect(listed).toContain(serial('revoked'));
    expect(listed).not.toContain(serial('afe'));
  });

  it('is idempotent, and regenerates everything when forced', async () => {
    const before = read(paths().agencyCert('afe'));
    await expect(ensureDevPki(dir)).resolves.toEqual({ generated: false });
    expect(read(paths().agencyCert('afe'))).toBe(before);
    const other = mkdtempSync(join(tmpdir(), 'passerelle-pki-'));
    try {
      await ensureDevPki(other);
      const first = read(devPkiPaths(other).caCert);
      const firstNumber = crlNumberOf(new X509Crl(read(devPkiPaths(other).crl)));
      await ensureDevPki(other, { force: true });
      expect(read(devPkiPaths(other).caCert)).not.toBe(first);
      // `dev certs` forces a new PKI; its CRL number must still increase.
      expect(crlNumberOf(new X509Crl(read(devPkiPaths(other).crl)))).toBe(firstNumber + 1);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('gives a PKI made before the source agencies their certificates, keeping its CA and the others', async () => {
    const other = mkdtempSync(join(tmpdir(), 'passerelle-pki-'));
    try {
      await ensureDevPki(other);
      const p = devPkiPaths(other);
      const ca = read(p.caCert);
      const afe = read(p.agencyCert('afe'));
      for (const name of DEMO_SOURCE_AGENCIES) {
        unlinkSync(p.agencyCert(name));
        unlinkSync(p.agencyKey(name));
      }
      await expect(ensureDevPki(other)).resolves.toEqual({ generated: true });
      expect(read(p.caCert)).toBe(ca);
      expect(read(p.agencyCert('afe'))).toBe(afe);
      const caKey = new NodeX509Certificate(ca).publicKey;
      for (const name of DEMO_SOURCE_AGENCIES) {
        const issued = new NodeX509Certificate(read(p.agencyCert(name)));
        expect(issued.verify(caKey)).toBe(true);
        expect(issued.subject).toContain(`CN=${name}`);
        expect(existsSync(p.agencyKey(name))).toBe(true);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refreshes a CRL past half its validity, keeping its entries', async () => {
    const other = mkdtempSync(join(tmpdir(), 'passerelle-pki-'));
    try {
      const earlier = new Date(Date.now() - 20 * 24 * 3600 * 1000);
      await ensureDevPki(other, { now: earlier });
      const p = devPkiPaths(other);
      const number = crlNumberOf(new X509Crl(read(p.crl)));
      await expect(ensureDevPki(other)).resolves.toEqual({ generated: true });
      const refreshed = new X509Crl(read(p.crl));
      expect(crlNumberOf(refreshed)).toBe(number + 1);
      expect(refreshed.entries.map((entry) => entry.serialNumber.toLowerCase())).toContain(
        new NodeX509Certificate(read(p.agencyCert('revoked'))).serialNumber.toLowerCase(),
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('revokes a certificate while keeping earlier revocations, with a higher CRL number', async () => {
    const other = mkdtempSync(join(tmpdir(), 'passerelle-pki-'));
    try {
      await ensureDevPki(other);
      const p = devPkiPaths(other);
      const before = crlNumberOf(new X509Crl(read(p.crl)));
      await revokeCertificate(other, read(p.agencyCert('afe')));
      const after = new X509Crl(read(p.crl));
      const listed = after.entries.map((entry) => entry.serialNumber.toLowerCase());
      expect(listed).toContain(new NodeX509Certificate(read(p.agencyCert('afe'))).serialNumber.toLowerCase());
      expect(listed).toContain(new NodeX509Certificate(read(p.agencyCert('revoked'))).serialNumber.toLowerCase());
      expect(crlNumberOf(after)).toBeGreaterThan(before);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('is enforced by a real TLS handshake with the CRL option', async () => {
    const p = paths();
    const verdicts = new Map<string, { authorized: boolean; error: string | null }>();
    const server = createServer({
      key: read(p.serverKey),
      cert: read(p.serverCert),
      ca: read(p.caCert),
      crl: read(p.crl),
      requestCert: true,
      rejectUnauthorized: false,
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      const cn = (socket.getPeerCertificate().subject as { CN?: string } | undefined)?.CN ?? 'none';
      verdicts.set(cn, {
        authorized: socket.authorized,
        error: socket.authorizationError == null ? null : String(socket.authorizationError),
      });
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    for (const name of ['afe', 'revoked', 'expired', 'rogue', 'unregistered']) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect({
          port,
          host: '127.0.0.1',
          servername: 'localhost',
          ca: read(p.caCert),
          cert: read(p.agencyCert(name)),
          key: read(p.agencyKey(name)),
        });
        socket.on('error', reject);
        socket.on('end', () => resolve());
        socket.resume();
      });
    }
    await new Promise((resolve) => server.close(resolve));
    expect(verdicts.get('afe')).toEqual({ authorized: true, error: null });
    expect(verdicts.get('unregistered')).toEqual({ authorized: true, error: null });
    expect(verdicts.get('revoked')).toEqual({ authorized: false, error: 'CERT_REVOKED' });
    expect(verdicts.get('expired')).toEqual({ authorized: false, error: 'CERT_HAS_EXPIRED' });
    expect(verdicts.get('rogue')?.authorized).toBe(false);
    expect(verdicts.get('rogue')?.error).not.toBe('CERT_REVOKED');
  });
});
