import {
  checkPeerCertificate,
  decideOrganisation,
  type IdentityRefusal,
  refusalErrorCode,
} from './client-certificate.decision';
import type { PeerCertificateFacts } from './peer-certificate';

const NOW = new Date('2026-06-01T12:00:00Z');

function peer(overrides: Partial<PeerCertificateFacts> = {}): PeerCertificateFacts {
  return {
    tlsAuthorized: true,
    tlsError: null,
    fingerprint: 'a'.repeat(64),
    serialNumber: '1A2B',
    subject: 'CN=afe',
    validFrom: new Date('2026-01-01T00:00:00Z'),
    validTo: new Date('2027-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('checkPeerCertificate', () => {
  const none = new Set<string>();

  it('accepts an authorised, current, unrevoked certificate', () => {
    expect(checkPeerCertificate(peer(), none, NOW)).toBeNull();
  });

  it('refuses a connection without a certificate', () => {
    expect(checkPeerCertificate(null, none, NOW)).toBe('no-certificate');
  });

  it.each([
    ['CERT_REVOKED', 'certificate-revoked'],
    ['CERT_HAS_EXPIRED', 'certificate-expired'],
    ['CERT_NOT_YET_VALID', 'certificate-not-yet-valid'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted-issuer'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'untrusted-issuer'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted-issuer'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted-issuer'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted-issuer'],
    ['CERT_SIGNATURE_FAILURE', 'untrusted-issuer'],
    ['CRL_HAS_EXPIRED', 'certificate-invalid'],
    ['SOMETHING_NEW', 'certificate-invalid'],
  ])('maps the TLS verify error %s to %s', (tlsError, reason) => {
    expect(checkPeerCertificate(peer({ tlsAuthorized: false, tlsError }), none, NOW)).toBe(reason);
  });

  it('refuses an unauthorised socket even when OpenSSL gave no error code', () => {
    expect(checkPeerCertificate(peer({ tlsAuthorized: false, tlsError: null }), none, NOW)).toBe('certificate-invalid');
  });

  it('refuses a serial revoked after the handshake (CRL reloaded on a kept-alive connection)', () => {
    expect(checkPeerCertificate(peer(), new Set(['1A2B']), NOW)).toBe('certificate-revoked');
  });

  it('refuses a certificate that expired while its connection stayed open', () => {
    expect(checkPeerCertificate(peer({ validTo: new Date('2026-06-01T11:59:59Z') }), none, NOW)).toBe(
      'certificate-expired',
    );
  });

  it('refuses a certificate that is not valid yet', () => {
    expect(checkPeerCertificate(peer({ validFrom: new Date('2026-06-02T00:00:00Z') }), none, NOW)).toBe(
      'certificate-not-yet-valid',
    );
  });

  it('lets the TLS verdict win over a later check', () => {
    const revokedAndExpired = peer({ tlsAuthorized: false, tlsError: 'CERT_REVOKED', validTo: new Date(0) });
    expect(checkPeerCertificate(revokedAndExpired, none, NOW)).toBe('certificate-revoked');
  });
});

describe('decideOrganisation', () => {
  it('allows a certificate bound to an active organisation', () => {
    expect(
      decideOrganisation({ organisationId: 'afe', status: 'active', sector: 'education', identifiers: 'sector' }),
    ).toEqual({ allow: true, organisationId: 'afe', sector: 'education', identifiers: 'sector' });
  });

  it('refuses a certificate bound to no organisation', () => {
    expect(decideOrganisation(null)).toEqual({ allow: false, reason: 'not-registered' });
  });

  it('refuses a certificate bound to a suspended organisation', () => {
    expect(
      decideOrganisation({ organisationId: 'afe', status: 'suspended', sector: 'education', identifiers: 'sector' }),
    ).toEqual({
      allow: false,
      reason: 'organisation-suspended',
    });
  });
});

describe('refusalErrorCode', () => {
  it.each<[IdentityRefusal, string]>([
    ['no-certificate', 'client-certificate-required'],
    ['untrusted-issuer', 'client-certificate-invalid'],
    ['certificate-expired', 'client-certificate-invalid'],
    ['certificate-not-yet-valid', 'client-certificate-invalid'],
    ['certificate-revoked', 'client-certificate-invalid'],
    ['certificate-invalid', 'client-certificate-invalid'],
    ['not-registered', 'client-not-registered'],
    ['organisation-suspended', 'client-suspended'],
  ])('answers %s with %s', (reason, code) => {
    expect(refusalErrorCode(reason)).toBe(code);
  });
});
