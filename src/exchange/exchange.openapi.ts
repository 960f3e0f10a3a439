import type { ApiPart, JsonObject } from '../platform/openapi/api-operation';
import { jsonResponse, nullable, schemaRef, TIMESTAMP, UUID } from '../platform/openapi/api-operation';
import { productSchemaName } from '../platform/openapi/openapi-document';
import { EXCHANGE_REQUEST_SCHEMA } from './exchange-request';

/** A product version the catalogue holds: its answer's `data` follows that contract. */
export interface ReleasedProduct {
  product: string;
  version: number;
}

/**
 * The answer's `data` is tied to the product and version it names, so a
 * client generator or a validator can follow it to that contract's schema.
 */
function exchangeAnswerSchema(products: readonly ReleasedProduct[]): JsonObject {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['exchangeId', 'product', 'version', 'purpose', 'basis', 'consentId', 'issuedAt', 'data'],
    properties: {
      exchangeId: { ...UUID, description: 'Quote it to the citizen or an officer: the audit log keeps it' },
      product: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
      purpose: { type: 'string' },
      basis: { type: 'string', enum: ['consent', 'statute'] },
      consentId: { ...nullable(UUID), description: 'The consent relied on; null for a statute' },
      issuedAt: TIMESTAMP,
      data: {
        type: 'object',
        description:
          'The product’s data, cut down to the fields your contract grants for this purpose (and the consent, if ' +
          'it narrows them). Its schema is the product’s: see `Data.<product>.v<version>` and ' +
          'GET /v1/catalogue/{product}/versions/{version}.',
      },
    },
    allOf: products.map(({ product, version }) => ({
      if: { properties: { product: { const: product }, version: { const: version } } },
      then: { properties: { data: schemaRef(productSchemaName(product, version)) } },
    })),
  };
}

const EXAMPLE_REQUEST = {
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  citizen: 'kD3v9c2Qe1x8Yb0Lr5Tn7Wm4Hs6Pa2Zu1Jf0Gi9Ok3E',
  caseRef: 'DOSSIER-2026-0042',
};

const EXAMPLE_ANSWER = {
  exchangeId: '0d8f6a0e-7c1b-4f2e-9a55-3b1c2d4e5f60',
  product: 'saaq.adresse',
  version: 1,
  purpose: 'mess.aide-sociale',
  basis: 'consent',
  consentId: '6a1c0e2f-3b4d-4c5e-8f90-112233445566',
  issuedAt: '2026-11-30T14:05:00.000Z',
  data: {
    streetNumber: '1200',
    street: 'Rue Saint-Jean',
    unit: null,
    municipality: 'Québec',
    province: 'QC',
    postalCode: 'G1R 1S8',
    since: '2021-07-01',
  },
};

/** The broker's one route. */
export function exchangeApi(products: readonly ReleasedProduct[]): ApiPart {
  return {
    schemas: { ExchangeRequest: EXCHANGE_REQUEST_SCHEMA, ExchangeAnswer: exchangeAnswerSchema(products) },
    operations: [
      {
        method: 'post',
        path: '/v1/exchanges',
        listener: 'agency',
        caller: 'agency',
        tag: 'agency',
        operationId: 'exchange',
        summary: 'Ask for a citizen’s data product for a purpose; the answer is signed',
        description:
          'The citizen is named by your sector identifier (never a URL). The gateway checks the contract, then the ' +
          'basis (the citizen’s consent, or a statute in force), records the intent, fetches from the source, ' +
          'minimises, signs and records the outcome before answering. Every consent failure is the same 403 ' +
          '`consent-required`. A purpose with `caseRefRequired` needs `caseRef` (400 otherwise). Takes no query ' +
          'string. Verify `x-jws-signature` before using `data`.',
        body: { schema: schemaRef('ExchangeRequest'), required: true, example: EXAMPLE_REQUEST },
        responses: {
          '200': {
            ...jsonResponse('The released data, signed', schemaRef('ExchangeAnswer'), EXAMPLE_ANSWER),
            headers: {
              'x-jws-signature': { $ref: '#/components/headers/JwsSignature' },
              'Cache-Control': { description: '`no-store`', schema: { type: 'string' } },
            },
          },
        },
        errors: [
          'invalid-request',
          'product-not-found',
          'purpose-not-allowed',
          'consent-required',
          'source-record-not-found',
          'source-unavailable',
          'source-timeout',
          'source-contract-violation',
          'source-error',
          'audit-unavailable',
        ],
      },
    ],
  };
}
