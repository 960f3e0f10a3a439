// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AuthorityKeyIdentifierExtension,
  cryptoProvider,
  Extension,
  PemConverter,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509Crl,
  X509CrlGenerator,
} from '@peculiar/x509';
import forge from 'node-forge';

/**
 * The development PKI: an agency CA with its CRL, the server certificate, the
 * demo agencies' client certificates (requesters and sources), and the
 * identities that must be refused.
 * Certificates are made with node-forge; node-forge cannot write CRLs, so the
 * CRL is made with @peculiar/x509.
 */
export const DEMO_AGENCIES = ['afe', 'mess', 'retraite-qc'] as const;
/** The source agencies, which report changes to the data they own. */
export const DEMO_SOURCE_AGENCIES = ['dec', 'rq', 'saaq', 'ramq'] as const;
export const REFUSED_IDENTITIES = ['revoked', 'expired', 'unregistered', 'rogue'] as const;
const CLIENT_IDENTITIES = [...DEMO_AGENCIES, ...DEMO_SOURCE_AGENCIES, ...REFUSED_IDENTITIES];

export interface DevPkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  crl: string;
  serverCert: string;
  serverKey: string;
  rogueCaCert: string;
  rogueCaKey: string;
  agencyCert(name: string): string;
  agencyKey(name: string): string;
}

export function devPkiPaths(dir: string): DevPkiPaths {
  return {
    dir,
    caCert: join(dir, 'agency-ca.crt'),
    caKey: join(dir, 'agency-ca.key'),
    crl: join(dir, 'agency-ca.crl'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    rogueCaCert: join(dir, 'rogue-ca.crt'),
    rogueCaKey: join(dir, 'rogue-ca.key'),
    agencyCert: (name) => join(dir, 'agencies', `${name}.crt`),
    agencyKey: (name) => join(dir, 'agencies', `${name}.key`),
  };
}

const DAY = 24 * 60 * 60 * 1000;
const CRL_VALIDITY = 30 * DAY;

interface Issuer {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  privatePem: string;
}

// forge's pure-JS RSA generation takes seconds per key; Node's is native.
function newKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { publicKey, privateKey: forgeKey, privatePem: privateKey };
}

/** 16 random bytes with the top bit cleared: a positive serial, as RFC 5280 requires. */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

interface CertificateSpec {
  commonName: string;
  organisation: string;
  keys: KeyPair;
  issuer: Issuer | 'self';
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

function makeCertificate(spec: CertificateSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.keys.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject([
    { shortName: 'C', value: 'CA' },
    { shortName: 'O', value: spec.organisation },
    { shortName: 'CN', value: spec.commonName },
  ]);
  const issuer = spec.issuer === 'self' ? { cert, key: spec.keys.privateKey } : spec.issuer;
  cert.setIssuer(issuer.cert.subject.attributes);
  const authorityKeyId =
    spec.issuer === 'self' ? [] : [{ name: 'authorityKeyIdentifier', keyIdentifier: issuerKeyId(spec.issuer.cert) }];
  cert.setExtensions([...spec.extensions, { name: 'subjectKeyIdentifier' }, ...authorityKeyId]);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

function issuerKeyId(cert: forge.pki.Certificate): string {
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  if (ski?.subjectKeyIdentifier === undefined) throw new Error('issuer certificate has no subjectKeyIdentifier');
  return forge.util.hexToBytes(ski.subjectKeyIdentifier);
}

function makeCa(commonName: string, now: Date): { cert: forge.pki.Certificate; keys: KeyPair } {
  const keys = newKeyPair();
  const cert = makeCertificate({
    commonName,
    organisation: 'Passerelle (dev)',
    keys,
    issuer: 'self',
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert, keys };
}

async function writeAtomically(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}

async function writePair(certPath: string, keyPath: string, cert: forge.pki.Certificate, keys: KeyPair): Promise<void> {
  await writeAtomically(keyPath, keys.privatePem, 0o600);
  await writeAtomically(certPath, forge.pki.certificateToPem(cert));
}

async function loadIssuer(certPath: string, keyPath: string): Promise<Issuer> {
  const cert = forge.pki.certificateFromPem(await readFile(certPath, 'utf8'));
  const key = forge.pki.privateKeyFromPem(await readFile(keyPath, 'utf8'));
  return { cert, key };
}

function clientCertificate(name: string, issuer: Issuer, now: Date, keys: KeyPair): forge.pki.Certificate {
  const expired = name === 'expired';
  return makeCertificate({
    commonName: name,
    organisation: 'Passerelle demo agency',
    keys,
    issuer,
    notBefore: new Date(now.getTime() - (expired ? 730 : 1) * DAY),
    notAfter: new Date(now.getTime() + (expired ? -1 : 730) * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
}

function serverCertificate(issuer: Issuer, now: Date, keys: KeyPair): forge.pki.Certificate {
  return makeCertificate({
    commonName: 'localhost',
    organisation: 'Passerelle (dev)',
    keys,
    issuer,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 730 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
}

/** DER INTEGER of a non-negative number, for the cRLNumber extension. */
function derInteger(value: number): ArrayBuffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  const der = Buffer.concat([Buffer.from([0x02, body.length]), body]);
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength);
}

const CRL_NUMBER_OID = '2.5.29.20';

interface CrlState {
  serials: string[];
  number: number;
}

/** The cRLNumber extension's value: a DER INTEGER (tag, length, big-endian bytes). */
export function crlNumberOf(crl: X509Crl): number {
  const extension = crl.getExtension(CRL_NUMBER_OID);
  if (extension === null) return 0;
  const digits = Buffer.from(extension.value).subarray(2).toString('hex');
  return digits === '' ? 0 : Number(BigInt(`0x${digits}`));
}

async function readCrlState(path: string): Promise<CrlState | null> {
  if (!existsSync(path)) return null;
  try {
    const crl = new X509Crl(await readFile(path, 'utf8'));
    return {
      serials: crl.entries.map((entry) => entry.serialNumber.toLowerCase()),
      number: crlNumberOf(crl),
    };
  } catch {
    return null;
  }
}

async function crlNeedsRefresh(path: string, now: Date): Promise<boolean> {
  if (!existsSync(path)) return true;
  try {
    const crl = new X509Crl(await readFile(path, 'utf8'));
    const nextUpdate = crl.nextUpdate;
    // Refresh past half of the validity so a running gateway never meets an expired CRL.
    return nextUpdate === undefined || nextUpdate.getTime() - now.getTime() < CRL_VALIDITY / 2;
  } catch {
    return true;
  }
}

/** The development agency CA, ready to sign with @peculiar/x509: its certificate, its key and its key identifier. */
export interface DevCaSigner {
  ca: X509Certificate;
  signingKey: webcrypto.CryptoKey;
  keyId: string;
}

/** Reads the development agency CA's certificate and key (either missing: the read's own error). */
export async function devCaSigner(paths: DevPkiPaths): Promise<DevCaSigner> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const [caPem, keyPem] = await Promise.all([readFile(paths.caCert, 'utf8'), readFile(paths.caKey, 'utf8')]);
  const ca = new X509Certificate(caPem);
  const pkcs8 = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    pkcs8,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const ski = ca.getExtension(SubjectKeyIdentifierExtension);
  if (ski === null) throw new Error('the agency CA has no subjectKeyIdentifier');
  return { ca, signingKey, keyId: ski.keyId };
}

/** Re-signs the CRL with exactly `serials` revoked and an incremented cRLNumber. */
async function writeCrl(paths: DevPkiPaths, serials: string[], number: number, now: Date): Promise<void> {
  const { ca, signingKey, keyId } = await devCaSigner(paths);
  const crl = await X509CrlGenerator.create({
    issuer: ca.subjectName,
    thisUpdate: new Date(now.getTime() - 60_000),
    nextUpdate: new Date(now.getTime() + CRL_VALIDITY),
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    signingKey,
    extensions: [new AuthorityKeyIdentifierExtension(keyId), new Extension(CRL_NUMBER_OID, false, derInteger(number))],
    entries: [...new Set(serials)].map((serialNumber) => ({
      serialNumber,
      revocationDate: new Date(now.getTime() - 60_000),
    })),
  });
  // OpenSSL only reads the "X509 CRL" PEM label.
  await writeAtomically(paths.crl, `${PemConverter.encode(crl.rawData, 'X509 CRL')}\n`);
}

function serialOf(pem: string): string {
  return new NodeX509Certificate(pem).serialNumber.toLowerCase();
}

/**
 * Generates whatever is missing. A new CA invalidates everything it signed, so
 * without one (or with `force`) the whole PKI is made again; otherwise only
 * missing leaves are (a PKI made before an identity was added gains it). The CRL is always present, fresh, and lists `revoked`.
 */
export async function ensureDevPki(
  dir: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<{ generated: boolean }> {
  const now = options.now ?? new Date();
  const paths = devPkiPaths(dir);
  let generated = false;
  const fresh = options.force === true || !existsSync(paths.caCert) || !existsSync(paths.caKey);
  if (fresh) {
    const ca = makeCa('Passerelle Dev Agency CA', now);
    await writePair(paths.caCert, paths.caKey, ca.cert, ca.keys);
    const rogue = makeCa('Rogue CA', now);
    await writePair(paths.rogueCaCert, paths.rogueCaKey, rogue.cert, rogue.keys);
    generated = true;
  }
  if (!existsSync(paths.rogueCaCert) || !existsSync(paths.rogueCaKey)) {
    const rogue = makeCa('Rogue CA', now);
    await writePair(paths.rogueCaCert, paths.rogueCaKey, rogue.cert, rogue.keys);
    generated = true;
  }
  const agencyCa = await loadIssuer(paths.caCert, paths.caKey);
  const rogueCa = await loadIssuer(paths.rogueCaCert, paths.rogueCaKey);

  if (fresh || !existsSync(paths.serverCert) || !existsSync(paths.serverKey)) {
    const keys = newKeyPair();
    await writePair(paths.serverCert, paths.serverKey, serverCertificate(agencyCa, now, keys), keys);
    generated = true;
  }
  for (const name of CLIENT_IDENTITIES) {
    if (!fresh && existsSync(paths.agencyCert(name)) && existsSync(paths.agencyKey(name))) continue;
    const keys = newKeyPair();
    const issuer = name === 'rogue' ? rogueCa : agencyCa;
    await writePair(paths.agencyCert(name), paths.agencyKey(name), clientCertificate(name, issuer, now, keys), keys);
    generated = true;
  }

  // A new CA starts a new list, but its number still follows the old one's: a
  // gateway compares CRL numbers and refuses any that does not increase.
  const previous = await readCrlState(paths.crl);
  const state = fresh ? null : previous;
  const revokedSerial = serialOf(await readFile(paths.agencyCert('revoked'), 'utf8'));
  const serials = state?.serials ?? [];
  if (state === null || !serials.includes(revokedSerial) || (await crlNeedsRefresh(paths.crl, now))) {
    await writeCrl(paths, [...serials, revokedSerial], (previous?.number ?? 0) + 1, now);
    generated = true;
  }
  return { generated };
}

/** Adds the certificate's serial to the CRL, re-signed by the agency CA, and rewrites it atomically. */
export async function revokeCertificate(dir: string, certPem: string, now = new Date()): Promise<void> {
  const paths = devPkiPaths(dir);
  const state = await readCrlState(paths.crl);
  await writeCrl(paths, [...(state?.serials ?? []), serialOf(certPem)], (state?.number ?? 0) + 1, now);
}
