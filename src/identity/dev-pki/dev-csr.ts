// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  cryptoProvider,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { devCaSigner, type DevCaSigner, devPkiPaths } from './dev-pki';

const DAY = 24 * 60 * 60 * 1000;

/** A CSR that cannot be signed: not PEM, or its signature does not prove the key's holder made it. */
export class CsrRefused extends Error {}

/** The development CA is not there to sign with. */
export class DevCaMissing extends Error {}

/** Reads a PKCS#10 request and checks that it is signed by the key it carries. */
export async function readCsr(pem: string): Promise<Pkcs10CertificateRequest> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(pem);
  } catch {
    throw new CsrRefused('not a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)');
  }
  // Proof of possession: a CSR anyone could have assembled from a public key is not signed.
  if (!(await csr.verify())) throw new CsrRefused('the request is not signed by the key it carries');
  return csr;
}

/**
 * The development agency CA signs an agency's CSR as it signs the demo
 * agencies' certificates: a client certificate (clientAuth only, not a CA)
 * with the subject the agency asked for, valid `days` from a minute ago.
 * The agency keeps its key; the gateway knows the certificate only once
 * `org bind-cert` binds it. Returns the certificate's PEM.
 */
export async function signAgencyCsr(certsDir: string, csrPem: string, days: number, now = new Date()): Promise<string> {
  const csr = await readCsr(csrPem);
  let signer: DevCaSigner;
  try {
    signer = await devCaSigner(devPkiPaths(certsDir));
  } catch {
    throw new DevCaMissing(`no development CA in ${certsDir}: run dev certs (or npm start) first`);
  }
  const { ca, signingKey, keyId } = signer;
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const certificate = await X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: csr.subjectName,
    issuer: ca.subjectName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + days * DAY),
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    extensions: [
      new BasicConstraintsExtension(false),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth]),
      await SubjectKeyIdentifierExtension.create(csr.publicKey),
      new AuthorityKeyIdentifierExtension(keyId),
    ],
  });
  return `${certificate.toString('pem')}\n`;
}
