import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse, pathParameter, schemaRef, TIMESTAMP } from '../platform/openapi/api-operation';

const TITLE = {
  type: 'object',
  required: ['fr', 'en'],
  properties: { fr: { type: 'string' }, en: { type: 'string' } },
};

const PURPOSE = {
  type: 'object',
  required: ['code', 'title', 'legalReference', 'basis', 'caseRefRequired', 'fields'],
  properties: {
    code: { type: 'string', examples: ['mess.aide-sociale'] },
    title: schemaRef('LocalisedTitle'),
    legalReference: { type: 'string' },
    basis: {
      type: 'string',
      enum: ['consent', 'statute'],
      description: '`consent`: an active consent of the citizen must cover it; `statute`: a law authorises it',
    },
    maxConsentDays: { type: 'integer', description: 'The longest consent a citizen may give (consent purposes)' },
    caseRefRequired: { type: 'boolean', description: 'Every exchange for this purpose must name `caseRef`' },
    effectiveFrom: { ...TIMESTAMP, description: 'A statute’s window in force starts here' },
    effectiveUntil: { ...TIMESTAMP, description: 'and ends here (excluded)' },
    disclosure: {
      type: 'object',
      description: 'The access appears in the citizen’s access log only this many days later',
      required: ['delayDays'],
      properties: { delayDays: { type: 'integer', minimum: 0 } },
    },
    fields: { type: 'array', items: { type: 'string' }, description: 'The fields you may receive for it' },
  },
};

const ENTRY = {
  type: 'object',
  required: ['product', 'version', 'title', 'owner', 'classification', 'retention', 'purposes'],
  properties: {
    product: { type: 'string', examples: ['saaq.adresse'] },
    version: { type: 'integer', minimum: 1 },
    title: schemaRef('LocalisedTitle'),
    owner: { type: 'string', description: 'The organisation that holds the data' },
    classification: { type: 'string', enum: ['unclassified', 'protected-a', 'protected-b', 'protected-c'] },
    retention: {
      type: 'object',
      required: ['maxDays'],
      properties: { maxDays: { type: 'integer' }, note: { type: 'string' } },
    },
    purposes: { type: 'array', items: schemaRef('CataloguePurpose') },
  },
};

/** What an agency may read of the contracts: its own grants only. */
export const CATALOGUE_API: ApiPart = {
  schemas: { LocalisedTitle: TITLE, CataloguePurpose: PURPOSE, CatalogueEntry: ENTRY },
  operations: [
    {
      method: 'get',
      path: '/v1/catalogue',
      listener: 'agency',
      caller: 'agency',
      tag: 'agency',
      operationId: 'listCatalogue',
      summary: 'The products, purposes and fields this organisation may request',
      responses: {
        '200': jsonResponse('Your catalogue', {
          type: 'object',
          required: ['organisation', 'products'],
          properties: {
            organisation: { type: 'string' },
            products: { type: 'array', items: schemaRef('CatalogueEntry') },
          },
        }),
      },
      errors: [],
    },
    {
      method: 'get',
      path: '/v1/catalogue/{product}/versions/{version}',
      listener: 'agency',
      caller: 'agency',
      tag: 'agency',
      operationId: 'getContract',
      summary: 'A product version’s contract, as it applies to this organisation, and its data JSON Schema',
      description:
        'A product you may not request answers exactly like one that does not exist (404 `product-not-found`). ' +
        '`schema` is the JSON Schema (2020-12) the source’s answer must pass; an exchange releases the fields ' +
        'your purpose grants. The same schemas are published in this document as `Data.<product>.v<version>`.',
      parameters: [
        pathParameter('product', 'The product code', { type: 'string', examples: ['saaq.adresse'] }),
        pathParameter('version', 'The contract version', { type: 'string', pattern: '^[1-9][0-9]{0,3}$' }),
      ],
      responses: {
        '200': jsonResponse('The contract and its schema', {
          allOf: [schemaRef('CatalogueEntry')],
          required: ['schema'],
          properties: { schema: { type: 'object', description: 'The product’s data JSON Schema (2020-12)' } },
        }),
      },
      errors: ['product-not-found'],
    },
  ],
};
