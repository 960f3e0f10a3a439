// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { cryptoProvider, X509Certificate, X509Crl } from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { normaliseSerial } from '../peer-certificate';
import type { CrlSource } from './crl-source';
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

/** What a reload did: put a newer CRL in force, found nothing new, refused an older one, or could not read one. */
export type CrlReload =
  | { outcome: 'reloaded' | 'unchanged' }
  | { outcome: 'rejected'; reason: CrlSuccessionRefusal }
  | { outcome: 'failed'; reason: string };

/**
 * The current certificate revocation list of the agency CA, from its one
 * location (a file, or a URL every node fetches), reloaded when the source
 * says it may have changed, on SIGHUP, and on every node at once when the
 * `crl.reload` notice comes over the cluster bus. Subscribers push it into
 * the TLS context for new handshakes; the identity check reads
 * `revokedSerials` on every request, so established connections are cut off
 * too.
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
  /** Reloads run one after the other: one asked for during another reads the source again after it. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastReadOk = true;

  private constructor(
    readonly source: CrlSource,
    private readonly caCertificatePem: string,
    initial: LoadedCrl,
  ) {
    this.current = initial;
  }

  /**
   * Reads and verifies the CRL at `source`, or throws: a gateway does not
   * start without a CRL it can trust (it could not refuse what is revoked).
   */
  static async open(source: CrlSource, caCertificatePem: string): Promise<CrlStore> {
    let initial: LoadedCrl;
    try {
      const read = await source.read();
      if (!read.changed) throw new Error('the CRL source answered "not modified" to a first request');
      initial = await parseCrl(read.pem, caCertificatePem);
      read.keep();
    } catch (error) {
      throw new Error(`the CRL at ${source.location} cannot be used: ${(error as Error).message}`, { cause: error });
    }
    return new CrlStore(source, caCertificatePem, initial);
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

  /** The cRLNumber of the CRL in force, if it has one. */
  get number(): bigint | undefined {
    return this.current.number;
  }

  /** Whether the last read of the source worked (a 304 counts): false while the URL cannot be fetched. */
  get sourceUp(): boolean {
    return this.lastReadOk;
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
   * Reads the source again. An unreadable, unreachable or unsigned CRL keeps
   * the previous list in force (its revocations stay enforced) and is
   * reported as a failure; a signed list that is not newer than the one in
   * force (decideCrlSuccession) is kept out the same way and reported as
   * rejected.
   */
  reload(): Promise<CrlReload> {
    const run = this.queue.then(() => this.reloadOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadOnce(): Promise<CrlReload> {
    let next: LoadedCrl;
    try {
      const read = await this.source.read();
      this.lastReadOk = true;
      if (!read.changed) return { outcome: 'unchanged' };
      next = await parseCrl(read.pem, this.caCertificatePem);
      read.keep();
    } catch (error) {
      this.lastReadOk = false;
      for (const listener of this.failedListeners) listener(error as Error);
      return { outcome: 'failed', reason: (error as Error).message };
    }
    if (next.pem === this.current.pem) return { outcome: 'unchanged' };
    const succession = decideCrlSuccession(this.current, next);
    if (!succession.accept) {
      const rejected: RejectedCrl = {
        reason: succession.reason,
        candidate: { number: next.number, thisUpdate: next.thisUpdate },
        current: { number: this.current.number, thisUpdate: this.current.thisUpdate },
      };
      for (const listener of this.rejectedListeners) listener(rejected);
      return { outcome: 'rejected', reason: succession.reason };
    }
    this.current = next;
    for (const listener of this.reloadedListeners) listener(next);
    this.checkExpiry();
    return { outcome: 'reloaded' };
  }

  /**
   * Reloads whenever the source says the CRL may have changed (the file's
   * mtime, or the URL's poll). Every `clockIntervalMs` the clock is checked
   * too: a CRL can expire with no change at all.
   */
  watch(clockIntervalMs: number): void {
    if (this.watching) return;
    this.watching = true;
    this.source.watch(() => void this.reload());
    this.expiryTimer = setInterval(() => this.checkExpiry(), clockIntervalMs);
    this.expiryTimer.unref();
    this.checkExpiry();
  }

  private checkExpiry(): void {
    if (!this.isExpired() || this.reportedExpired === this.current) return;
    this.reportedExpired = this.current;
    for (const listener of this.expiredListeners) listener(this.current);
  }

  close(): void {
    this.source.close();
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    this.watching = false;
  }
}
