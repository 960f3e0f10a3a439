import type { ErrorCode } from '../platform/errors/error-codes';
import type { PeerCertificateFacts } from './peer-certificate';
import type { CitizenIdentifiers, OrganisationStatus } from './organisation.entity';

export type CertificateRefusal =
  | 'no-certificate'
  | 'untrusted-issuer'
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'certificate-revoked'
  | 'certificate-invalid';

export type OrganisationRefusal = 'not-registered' | 'organisation-suspended';

export type IdentityRefusal = CertificateRefusal | OrganisationRefusal;

export interface CertificateBinding {
  organisationId: string;
  status: OrganisationStatus;
  sector: string;
  identifiers: CitizenIdentifiers;
}

export type OrganisationDecision =
  | { allow: true; organisationId: string; sector: string; identifiers: CitizenIdentifiers }
  | { allow: false; reason: OrganisationRefusal };

// OpenSSL verify errors that mean "this chain does not lead to our agency CA".
const UNTRUSTED_ISSUER_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/**
 * Is the certificate on this connection acceptable right now?
 *
 * OpenSSL has already checked the chain, validity dates and the CRL at the
 * handshake; its verdict is honoured first. The later checks repeat what can
 * change while a keep-alive connection stays open: the CRL may have been
 * reloaded with this serial on it, and the certificate may have expired since
 * the handshake. Without them a revoked agency could keep a connection open and
 * go on being served.
 */
export function checkPeerCertificate(
  peer: PeerCertificateFacts | null,
  revokedSerials: ReadonlySet<string>,
  now: Date,
): CertificateRefusal | null {
  if (peer === null) return 'no-certificate';
  if (!peer.tlsAuthorized) {
    if (peer.tlsError === 'CERT_REVOKED') return 'certificate-revoked';
    if (peer.tlsError === 'CERT_HAS_EXPIRED') return 'certificate-expired';
    if (peer.tlsError === 'CERT_NOT_YET_VALID') return 'certificate-not-yet-valid';
    if (peer.tlsError !== null && UNTRUSTED_ISSUER_ERRORS.has(peer.tlsError)) return 'untrusted-issuer';
    // Any other verify failure (bad CRL, unknown critical extension...) is still a failure.
    return 'certificate-invalid';
  }
  if (revokedSerials.has(peer.serialNumber)) return 'certificate-revoked';
  if (now.getTime() > peer.validTo.getTime()) return 'certificate-expired';
  if (now.getTime() < peer.validFrom.getTime()) return 'certificate-not-yet-valid';
  return null;
}

/**
 * Which organisation does an acceptable certificate speak for? Only an explicit
 * fingerprint binding to an active organisation counts: a valid chain alone
 * proves the CA issued the certificate, not that anyone registered it.
 */
export function decideOrganisation(binding: CertificateBinding | null): OrganisationDecision {
  if (binding === null) return { allow: false, reason: 'not-registered' };
  if (binding.status !== 'active') return { allow: false, reason: 'organisation-suspended' };
  return {
    allow: true,
    organisationId: binding.organisationId,
    sector: binding.sector,
    identifiers: binding.identifiers,
  };
}

/** The code the caller sees. The exact reason goes to the log only. */
export function refusalErrorCode(reason: IdentityRefusal): ErrorCode {
  switch (reason) {
    case 'no-certificate':
      return 'client-certificate-required';
    case 'untrusted-issuer':
    case 'certificate-expired':
    case 'certificate-not-yet-valid':
    case 'certificate-revoked':
    case 'certificate-invalid':
      return 'client-certificate-invalid';
    case 'not-registered':
      return 'client-not-registered';
    case 'organisation-suspended':
      return 'client-suspended';
  }
}
