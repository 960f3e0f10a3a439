import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type * as Sass from 'sass';

/** Where `npm run build` writes the compiled stylesheet: beside this module in dist. */
const BUILT = join(__dirname, 'portal.css');
const SOURCE = join(__dirname, 'styles', 'portal.scss');

let compiled: string | undefined;

/**
 * The portal's stylesheet (GOV.UK Frontend and the portal's own rules), as
 * `npm run build` compiled it; run from sources (the tests), it is compiled
 * once per process with sass, a development dependency.
 */
export function portalStylesheet(): string {
  if (compiled !== undefined) return compiled;
  if (existsSync(BUILT)) {
    compiled = readFileSync(BUILT, 'utf8');
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only from sources: dist has the built file
    const sass = require('sass') as typeof Sass;
    compiled = sass.compile(SOURCE, {
      style: 'compressed',
      loadPaths: [join(__dirname, '..', '..', 'node_modules')],
    }).css;
  }
  return compiled;
}

/** The stylesheet as sent: brotli or gzip when the browser takes it (compressed once), else as it is. */
export interface EncodedStylesheet {
  body: string | Buffer;
  encoding?: 'br' | 'gzip';
}

const encoded = new Map<'br' | 'gzip', Buffer>();

export function encodedStylesheet(acceptEncoding: string | undefined): EncodedStylesheet {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined;
  if (encoding === undefined) return { body: portalStylesheet() };
  let body = encoded.get(encoding);
  if (body === undefined) {
    const css = Buffer.from(portalStylesheet());
    body =
      encoding === 'br'
        ? brotliCompressSync(css, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        : gzipSync(css, { level: 9 });
    encoded.set(encoding, body);
  }
  return { body, encoding };
}

/** The portal's icon: a bridge over the water, in the brand's blue. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#095797"/>' +
  '<path d="M4 20h24M7 20v-5a9 9 0 0 1 18 0v5M12 20v-7M20 20v-7M16 20v-9" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round"/></svg>';
