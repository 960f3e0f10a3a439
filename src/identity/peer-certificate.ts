import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';

/** What the identity decision needs to know about the certificate on a socket. */
export interface PeerCertificateFacts {
  /** Whether OpenSSL accepted the chain against the agency CA and the CRL at handshake. */
  tlsAuthorized: boolean;
  /** OpenSSL's verify error code (e.g. CERT_REVOKED) when it did not. */
  tlsError: string | null;
  /** SHA-256 of the DER certificate, lower-case hex without separators. */
  fingerprint: string;
  /** Upper-case hex without leading zeros, the form CRL entries are compared in. */
  serialNumber: string;
  subject: string;
  validFrom: Date;
  validTo: Date;
}

export function normaliseFingerprint(value: string): string {
  return value.replaceAll(':', '').toLowerCase();
}

export function normaliseSerial(value: string): string {
  return value
    .replaceAll(':', '')
    .toUpperCase()
    .replace(/^0+(?=.)/, '');
}

function formatSubject(subject: PeerCertificate['subject'] | undefined): string {
  if (subject === undefined) return '';
  return Object.entries(subject)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

// A TLS handshake cannot change during a connection, so the certificate is
// parsed once per socket rather than once per request.
const factsBySocket = new WeakMap<TLSSocket, PeerCertificateFacts | null>();

/** The facts of the socket's peer certificate, or null when none was presented. */
export function peerCertificateOf(socket: TLSSocket): PeerCertificateFacts | null {
  const cached = factsBySocket.get(socket);
  if (cached !== undefined) return cached;
  const certificate = socket.getPeerCertificate(false) as Partial<DetailedPeerCertificate>;
  const facts =
    certificate.fingerprint256 === undefined
      ? null
      : {
          tlsAuthorized: socket.authorized,
          tlsError: socket.authorizationError == null ? null : String(socket.authorizationError),
          fingerprint: normaliseFingerprint(certificate.fingerprint256),
          serialNumber: normaliseSerial(certificate.serialNumber ?? ''),
          subject: formatSubject(certificate.subject),
          validFrom: new Date(certificate.valid_from ?? 0),
          validTo: new Date(certificate.valid_to ?? 0),
        };
  factsBySocket.set(socket, facts);
  return facts;
}
