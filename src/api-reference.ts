import { AUDIT_API } from './audit/audit.openapi';
import { CHANGES_API } from './changes/changes.openapi';
import { CITIZEN_AUTH_API } from './citizen-auth/citizen-auth.openapi';
import { CONSENT_REQUESTS_API } from './consent/consent-requests.openapi';
import { CONSENT_API } from './consent/consent.openapi';
import type { Catalogue } from './contracts/catalogue';
import { CATALOGUE_API } from './contracts/catalogue.openapi';
import { exchangeApi } from './exchange/exchange.openapi';
import { IDENTITY_API } from './identity/identity.openapi';
import { WEBHOOK_API } from './notifications/webhook.openapi';
import type { JsonObject } from './platform/openapi/api-operation';
import { buildOpenApiDocument, type ListenerAddresses } from './platform/openapi/openapi-document';
import { PLATFORM_API } from './platform/openapi/platform.openapi';
import { PORTAL_API, PORTAL_SESSION_SCHEME } from './portal/portal.openapi';

/**
 * The API reference served at /openapi.json: each bounded context describes
 * its own routes, the loaded catalogue adds each product's data schema.
 * Built again when the contracts are reloaded, so a new product version
 * appears without a restart.
 */
export function apiReference(catalogue: Catalogue, listeners: ListenerAddresses): JsonObject {
  const contracts = [...catalogue.contracts].sort(
    (a, b) => a.product.localeCompare(b.product) || a.version - b.version,
  );
  return buildOpenApiDocument({
    version: '1',
    listeners,
    parts: [
      exchangeApi(contracts),
      CATALOGUE_API,
      CONSENT_REQUESTS_API,
      CHANGES_API,
      WEBHOOK_API,
      IDENTITY_API,
      CITIZEN_AUTH_API,
      CONSENT_API,
      AUDIT_API,
      PLATFORM_API,
      PORTAL_API,
    ],
    products: contracts.map(({ product, version, title, dataSchema }) => ({
      product,
      version,
      title,
      schema: dataSchema,
    })),
    securitySchemes: PORTAL_SESSION_SCHEME,
  });
}
