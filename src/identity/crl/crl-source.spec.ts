import { crlPem, crlSourceOf, displayUrl, FileCrlSource, UrlCrlSource } from './crl-source';

const FETCH = { intervalMs: 60_000, timeoutMs: 5_000, maxBytes: 1_048_576 };

describe('crlPem', () => {
  it('leaves a PEM CRL as it is', () => {
    const pem = '-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n';
    expect(crlPem(Buffer.from(pem))).toBe(pem);
  });

  it('wraps a DER CRL, as distribution points serve it, in PEM lines of 64 characters', () => {
    const der = Buffer.alloc(100, 0x30);
    const pem = crlPem(der);
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN X509 CRL-----');
    expect(lines.at(-1)).toBe('-----END X509 CRL-----');
    // 100 bytes are 136 base64 characters.
    expect(lines.slice(1, -1).map((line) => line.length)).toEqual([64, 64, 8]);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64').equals(der)).toBe(true);
  });
});

describe('displayUrl', () => {
  it('shows neither credentials nor query', () => {
    expect(displayUrl('https://user:secret@crl.example:8443/ca/agency.crl?token=abc#x')).toBe(
      'https://crl.example:8443/ca/agency.crl',
    );
  });
});

describe('crlSourceOf', () => {
  it('reads the file unless a URL is configured', () => {
    const tls = { crl: '/etc/passerelle/agency-ca.crl', crlPollIntervalMs: 2_000, crlFetch: FETCH };
    expect(crlSourceOf({ ...tls, crlUrl: undefined })).toBeInstanceOf(FileCrlSource);
    const url = crlSourceOf({ ...tls, crlUrl: 'http://pki.example/agency.crl' });
    expect(url).toBeInstanceOf(UrlCrlSource);
    expect(url.location).toBe('http://pki.example/agency.crl');
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new UrlCrlSource('ftp://pki.example/agency.crl', FETCH)).toThrow(/CRL_URL/);
  });
});
