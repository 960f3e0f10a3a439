import { Controller, Get, Header, Injectable, Param, Res } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ServedOn } from '../http/listener';

/**
 * The OpenAPI document, built once the application is assembled and again
 * when what it is built from changes (the contracts reloaded, the listeners'
 * ports known): `key` names that state.
 */
@Injectable()
export class OpenApiDocument {
  private source: { build: () => object; key: () => string } | undefined;
  private cached: { key: string; document: object } | undefined;

  provide(build: () => object, key: () => string): void {
    this.source = { build, key };
    this.cached = undefined;
  }

  get document(): object | undefined {
    if (this.source === undefined) return undefined;
    const key = this.source.key();
    if (this.cached?.key !== key) this.cached = { key, document: this.source.build() };
    return this.cached.document;
  }
}

// Served from the installed swagger-ui-dist: no CDN, no inline script, so the
// page works offline and under a strict Content-Security-Policy.
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
// A Map, not an object literal: a name from the URL such as `__proto__` or `constructor` must not find
// Object.prototype's members and reach readFileSync as an asset.
const ASSETS = new Map<string, { file: string; type: string }>([
  ['swagger-ui.css', { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' }],
  ['swagger-ui-bundle.js', { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' }],
]);
const assetCache = new Map<string, Buffer>();

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Passerelle API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body>
</html>`;
const INIT_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });\n";
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

@ServedOn('public')
@Controller()
export class OpenApiController {
  constructor(private readonly openApi: OpenApiDocument) {}

  @Get('openapi.json')
  json(): object {
    if (this.openApi.document === undefined) throw new DomainError('not-ready');
    return this.openApi.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', CSP)
  page(): string {
    return DOCS_PAGE;
  }

  @Get('docs/assets/init.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  init(): string {
    return INIT_SCRIPT;
  }

  @Get('docs/assets/:name')
  @Header('cache-control', 'public, max-age=86400')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const asset = ASSETS.get(name);
    if (asset === undefined) throw new DomainError('not-found');
    let body = assetCache.get(name);
    if (body === undefined) {
      body = readFileSync(join(SWAGGER_UI_DIR, asset.file));
      assetCache.set(name, body);
    }
    void reply.header('content-type', asset.type);
    return body;
  }
}
