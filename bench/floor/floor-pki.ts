/**
 * The floor's own test PKI, made in memory for each run: a P-256 CA, and a
 * server and a client certificate it signs, for localhost and 127.0.0.1.
 * Elliptic keys on both sides, as the reference floor has, so that the
 * handshake and record costs are those of a modern deployment.
 */
// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  cryptoProvider,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

export interface FloorIdentity {
  cert: string;
  key: string;
}

export interface FloorPki {
  ca: string;
  server: FloorIdentity;
  client: FloorIdentity;
}

const DAY = 24 * 60 * 60 * 1000;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

function serialNumber(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and without a leading zero byte
  return serial.toString('hex');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function makeFloorPki(now = new Date()): Promise<FloorPki> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const validity = { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + DAY) };
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=passerelle-floor-ca',
    ...validity,
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ],
  });
  const leaf = async (): Promise<FloorIdentity> => {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const cert = await X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: 'CN=localhost',
      issuer: ca.subject,
      ...validity,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new BasicConstraintsExtension(false),
        new SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    });
    return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
  };
  return { ca: ca.toString('pem'), server: await leaf(), client: await leaf() };
}
