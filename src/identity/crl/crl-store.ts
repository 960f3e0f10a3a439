// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { cryptoProvider, X509Certificate, X509Crl } from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { normaliseSerial } from '../peer-certificate';
import { type CrlSuccessionRefusal, decideCrlSuccession, isCrlExpired } from './crl-succession';

export interface LoadedCrl {
  pem: string;
  revokedSerials: ReadonlySet<string>;
  /** The cRLNumber extension (RFC 5280 5.2.3); undefined when the CRL has none. */
  number: bigint | undefined;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}

/** A signed CRL that did not replace the one in force, and why. */
export interface RejectedCrl {
  reason: CrlSuccessionRefusal;
  candidate: { number: bigint | undefined; thisUpdate: Date };
  current: { number: bigint | undefined; thisUpdate: Date };
}

const CRL_NUMBER_OID = '2.5.29.20';

/** The cRLNumber: a non-negative DER INTEGER of up to 20 octets, hence a bigint. */
function crlNumber(crl: X509Crl): bigint | undefined {
  const extension = crl.getExtension(CRL_NUMBER_OID);
  if (extension === null) return undefined;
  const parsed = asn1js.fromBER(extension.value);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Integer)) {
    throw new Error('the CRL number extension is not an INTEGER');
  }
  const value = parsed.result.toBigInt();
  if (value < 0n) throw new Error('the CRL number is negative');
  return value;
}

/**
 * Parses a CRL and checks that the agency CA signed it. A CRL that anyone could
 * write would let anyone un-revoke a certificate.
 */
export async function parseCrl(pem: string, caCertificatePem: string): Promise<LoadedCrl> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const crl = new X509Crl(pem);
  const ca = new X509Certificate(caCertificatePem);
  if (!(await crl.verify({ publicKey: ca }))) {
    throw new Error('the CRL is not signed by the agency CA');
  }
  return {
    pem,
    revokedSerials: new Set(crl.entries.map((entry) => normaliseSerial(entry.serialNumber))),
    number: crlNumber(crl),
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
  };
}

/**
 * The current certificate revocation list of the agency CA, reloaded when its
 * file changes (or on demand, e.g. on SIGHUP). Subscribers push it into the TLS
 * context for new handshakes; the identity check reads `revokedSerials` on
 * every request, so established connections are cut off too.
 */
export class CrlStore {
  private current: LoadedCrl;
  private readonly reloadedListeners: ((crl: LoadedCrl) => void)[] = [];
  private readonly failedListeners: ((error: Error) => void)[] = [];
  private readonly rejectedListeners: ((rejected: RejectedCrl) => void)[] = [];
  private readonly expiredListeners: ((crl: LoadedCrl) => void)[] = [];
  private watching = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** The CRL whose expiry was last reported, so the alarm is logged once per CRL, not per poll. */
  private reportedExpired: LoadedCrl | undefined;

  private constructor(
    private readonly path: string,
    private readonly caCertificatePem: string,
    initial: LoadedCrl,
  ) {
    this.current = initial;
  }

  static async open(path: string, caCertificatePem: string): Promise<CrlStore> {
    const initial = await parseCrl(await readFile(path, 'utf8'), caCertificatePem);
    return new CrlStore(path, caCertificatePem, initial);
  }

  get pem(): string {
    return this.current.pem;
  }

  get revokedSerials(): ReadonlySet<string> {
    return this.current.revokedSerials;
  }

  get nextUpdate(): Date | undefined {
    return this.current.nextUpdate;
  }

  /** Past its nextUpdate. It stays in force all the same: dropping it would un-revoke everything it lists. */
  isExpired(now = new Date()): boolean {
    return isCrlExpired(this.current.nextUpdate, now);
  }

  on(event: 'reloaded', listener: (crl: LoadedCrl) => void): void;
  on(event: 'failed', listener: (error: Error) => void): void;
  on(event: 'rejected', listener: (rejected: RejectedCrl) => void): void;
  on(event: 'expired', listener: (crl: LoadedCrl) => void): void;
  on(
    event: 'reloaded' | 'failed' | 'rejected' | 'expired',
    listener: ((crl: LoadedCrl) => void) | ((error: Error) => void) | ((rejected: RejectedCrl) => void),
  ): void {
    if (event === 'reloaded') this.reloadedListeners.push(listener as (crl: LoadedCrl) => void);
    else if (event === 'failed') this.failedListeners.push(listener as (error: Error) => void);
    else if (event === 'rejected') this.rejectedListeners.push(listener as (rejected: RejectedCrl) => void);
    else this.expiredListeners.push(listener as (crl: LoadedCrl) => void);
  }

  /**
   * Re-reads the file. An unreadable or unsigned file keeps the previous list in
   * force (its revocations stay enforced) and is reported as a failure; a signed
   * list that is not newer than the one in force (decideCrlSuccession) is kept
   * out the same way and reported as rejected.
   */
  async reload(): Promise<boolean> {
    let next: LoadedCrl;
    try {
      next = await parseCrl(await readFile(this.path, 'utf8'), this.caCertificatePem);
    } catch (error) {
      for (const listener of this.failedListeners) listener(error as Error);
      return false;
    }
    if (next.pem === this.current.pem) return false;
    const succession = decideCrlSuccession(this.current, next);
    if (!succession.accept) {
      const rejected: RejectedCrl = {
        reason: succession.reason,
        candidate: { number: next.number, thisUpdate: next.thisUpdate },
        current: { number: this.current.number, thisUpdate: this.current.thisUpdate },
      };
      for (const listener of this.rejectedListeners) listener(rejected);
      return false;
    }
    this.current = next;
    for (const listener of this.reloadedListeners) listener(next);
    this.checkExpiry();
    return true;
  }

  /**
   * Polls the file's mtime; robust across editors and atomic renames, unlike fs.watch.
   * The same interval watches the clock: a CRL can expire with no file change at all.
   */
  watch(intervalMs: number): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, () => {
      void this.reload();
    });
    this.expiryTimer = setInterval(() => this.checkExpiry(), intervalMs);
    this.expiryTimer.unref();
    this.checkExpiry();
  }

  private checkExpiry(): void {
    if (!this.isExpired() || this.reportedExpired === this.current) return;
    this.reportedExpired = this.current;
    for (const listener of this.expiredListeners) listener(this.current);
  }

  close(): void {
    if (this.watching) unwatchFile(this.path);
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    this.watching = false;
  }
}
