import type { CertificateBinding } from './client-certificate.decision';

/**
 * The certificate bindings (and their organisation's status) this node has
 * read, so that an agency's request does not go to PostgreSQL for them each
 * time. A binding changes only through the operator's commands, which tell
 * every live node to forget what it holds and wait for each to answer before
 * they return (`bindings.reload` on the cluster bus). So that no change can
 * be missed, the cache answers only while this node can hear those notices
 * (`trusted`, the cluster bus connected), and a read that raced a notice is
 * not kept: `store` drops what was read before the last `forget`.
 */
export class BindingCache {
  private readonly entries = new Map<string, CertificateBinding | null>();
  private generation = 0;
  /** Until wired to the cluster bus, nothing is trusted and every request reads the database. */
  private trustedNow: () => boolean = () => false;

  /** A bound on memory: only certificates of the agency CA get this far, but a CA can issue many. */
  constructor(private readonly limit = 10_000) {}

  trustWhile(trusted: () => boolean): void {
    this.trustedNow = trusted;
  }

  /** The cached binding (null: known to be unbound), or undefined when the database must be asked. */
  get(fingerprint: string): CertificateBinding | null | undefined {
    return this.trustedNow() ? this.entries.get(fingerprint) : undefined;
  }

  /** Taken before reading the database: `store` keeps the read only if nothing was forgotten meanwhile. */
  mark(): number {
    return this.generation;
  }

  store(fingerprint: string, binding: CertificateBinding | null, mark: number): void {
    if (mark !== this.generation || !this.trustedNow()) return;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(fingerprint, binding);
  }

  /** Drops everything held; returns how many entries that was. */
  forget(): number {
    const dropped = this.entries.size;
    this.entries.clear();
    this.generation += 1;
    return dropped;
  }
}
