// @peculiar/x509 needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { cryptoProvider, X509Certificate, X509Crl } from '@peculiar/x509';
import { normaliseSerial } from '../peer-certificate';

export interface LoadedCrl {
  pem: string;
  revokedSerials: ReadonlySet<string>;
  nextUpdate: Date | undefined;
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
  private watching = false;

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

  on(event: 'reloaded', listener: (crl: LoadedCrl) => void): void;
  on(event: 'failed', listener: (error: Error) => void): void;
  on(event: 'reloaded' | 'failed', listener: ((crl: LoadedCrl) => void) | ((error: Error) => void)): void {
    if (event === 'reloaded') this.reloadedListeners.push(listener as (crl: LoadedCrl) => void);
    else this.failedListeners.push(listener as (error: Error) => void);
  }

  /**
   * Re-reads the file. An unreadable or unsigned file keeps the previous list in
   * force (its revocations stay enforced) and is reported as a failure.
   */
  async reload(): Promise<boolean> {
    try {
      const next = await parseCrl(await readFile(this.path, 'utf8'), this.caCertificatePem);
      if (next.pem === this.current.pem) return false;
      this.current = next;
      for (const listener of this.reloadedListeners) listener(next);
      return true;
    } catch (error) {
      for (const listener of this.failedListeners) listener(error as Error);
      return false;
    }
  }

  /** Polls the file's mtime; robust across editors and atomic renames, unlike fs.watch. */
  watch(intervalMs: number): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, () => {
      void this.reload();
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.path);
    this.watching = false;
  }
}
