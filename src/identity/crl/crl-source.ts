import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { request } from 'undici';
import type { TlsConfig } from '../../platform/config/config';

/** What one read of the CRL's location gave. */
export type CrlRead =
  /** The server said it has not changed since the last CRL kept (304). */
  | { changed: false }
  /**
   * A CRL, in PEM. `keep` records its validators (ETag, Last-Modified) for the
   * next conditional request; the store calls it once the CRL verified.
   */
  | { changed: true; pem: string; keep(): void };

/** Where the agency CA's CRL comes from: a file, or a URL. */
export interface CrlSource {
  /** For logs and errors: the path, or the URL without credentials or query. */
  readonly location: string;
  read(): Promise<CrlRead>;
  /** Calls `changed` whenever the CRL may have changed, until closed. */
  watch(changed: () => void): void;
  close(): void;
}

/** The CRL file, re-read when its mtime changes (polled: robust across editors and atomic renames, unlike fs.watch). */
export class FileCrlSource implements CrlSource {
  private watching = false;

  constructor(
    readonly location: string,
    private readonly pollIntervalMs: number,
  ) {}

  async read(): Promise<CrlRead> {
    return { changed: true, pem: await readFile(this.location, 'utf8'), keep: () => undefined };
  }

  watch(changed: () => void): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.location, { interval: this.pollIntervalMs, persistent: false }, changed);
  }

  close(): void {
    if (this.watching) unwatchFile(this.location);
    this.watching = false;
  }
}

export interface UrlCrlOptions {
  /** How often the URL is polled (a conditional GET: a 304 costs next to nothing). */
  intervalMs: number;
  /** The whole fetch, headers and body, must end within this. */
  timeoutMs: number;
  /** A larger answer is refused (a CRL of a few hundred thousand entries is a few MB). */
  maxBytes: number;
}

/** The URL as logs may show it: no user, password, query or fragment. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * A CRL body as PEM: distribution points serve DER (application/pkix-crl),
 * files are often PEM already. Anything else is left for the parser to refuse.
 */
export function crlPem(body: Buffer): string {
  const text = body.toString('latin1');
  if (text.trimStart().startsWith('-----BEGIN')) return body.toString('utf8');
  const base64 = body.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN X509 CRL-----\n${base64}-----END X509 CRL-----\n`;
}

export class CrlFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlFetchError';
  }
}

/**
 * The CRL at an http(s) URL, the one location every node reads. Each read is
 * a GET with the validators of the last CRL kept (If-None-Match,
 * If-Modified-Since), a deadline and a size limit; redirects are not
 * followed. A failure throws: the store keeps the CRL in force and says so.
 */
export class UrlCrlSource implements CrlSource {
  readonly location: string;
  private validators: { etag?: string; lastModified?: string } = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly options: UrlCrlOptions,
  ) {
    const { protocol } = new URL(url);
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error('CRL_URL: must be http:// or https://');
    this.location = displayUrl(url);
  }

  async read(): Promise<CrlRead> {
    const headers: Record<string, string> = { accept: 'application/pkix-crl, application/x-pem-file, */*' };
    if (this.validators.etag !== undefined) headers['if-none-match'] = this.validators.etag;
    if (this.validators.lastModified !== undefined) headers['if-modified-since'] = this.validators.lastModified;
    const { timeoutMs, maxBytes } = this.options;
    let response;
    try {
      response = await request(this.url, {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw new CrlFetchError(`the CRL could not be fetched: ${(error as Error).message}`);
    }
    const { statusCode, body } = response;
    if (statusCode === 304) {
      await body.dump();
      return { changed: false };
    }
    if (statusCode !== 200) {
      await body.dump();
      throw new CrlFetchError(`the CRL server answered ${statusCode}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await body.dump();
      throw new CrlFetchError(`the CRL is larger than ${maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          body.destroy();
          throw new CrlFetchError(`the CRL is larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof CrlFetchError) throw error;
      throw new CrlFetchError(`the CRL could not be read: ${(error as Error).message}`);
    }
    const etag = header(response.headers.etag);
    const lastModified = header(response.headers['last-modified']);
    return {
      changed: true,
      pem: crlPem(Buffer.concat(chunks)),
      keep: () => {
        this.validators = { etag, lastModified };
      },
    };
  }

  watch(changed: () => void): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(changed, this.options.intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The CRL's one location as configured: CRL_URL when set, otherwise the TLS_CRL file. */
export function crlSourceOf(tls: Pick<TlsConfig, 'crl' | 'crlPollIntervalMs' | 'crlUrl' | 'crlFetch'>): CrlSource {
  return tls.crlUrl === undefined
    ? new FileCrlSource(tls.crl, tls.crlPollIntervalMs)
    : new UrlCrlSource(tls.crlUrl, tls.crlFetch);
}
