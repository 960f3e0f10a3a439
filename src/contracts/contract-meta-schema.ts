/**
 * What an adapter kind hands the contract loader: its name, the JSON Schema
 * of its `source.settings`, and the checks a JSON Schema cannot express, run
 * only on settings that passed the schema. Pointers are relative to the settings.
 */
export interface AdapterSettingsSpec {
  kind: string;
  schema: object;
  check?(settings: unknown): { pointer: string; message: string }[];
}

const CODE = '^[a-z][a-z0-9-]*$';
const DOTTED_CODE = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$';

const TITLE = {
  type: 'object',
  additionalProperties: false,
  required: ['fr', 'en'],
  properties: { fr: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
};

/** The meta-schema every `schemas/**\/contract.json` manifest must pass, for the adapter kinds given. */
export const contractMetaSchema = (adapterKinds: readonly AdapterSettingsSpec[]): object => ({
  $id: 'urn:passerelle:meta:contract',
  type: 'object',
  additionalProperties: false,
  required: [
    'product',
    'version',
    'title',
    'owner',
    'classification',
    'retention',
    'schema',
    'fields',
    'source',
    'access',
  ],
  properties: {
    $schema: { type: 'string' },
    // Each field of the schema in plain words, for the citizen who is asked to share it.
    fields: { type: 'object', additionalProperties: TITLE },
    product: { type: 'string', pattern: DOTTED_CODE, maxLength: 100 },
    version: { type: 'integer', minimum: 1, maximum: 1000 },
    title: TITLE,
    owner: { type: 'string', pattern: CODE, maxLength: 50 },
    classification: { enum: ['unclassified', 'protected-a', 'protected-b', 'protected-c'] },
    retention: {
      type: 'object',
      additionalProperties: false,
      required: ['maxDays'],
      properties: {
        maxDays: { type: 'integer', minimum: 1, maximum: 3650 },
        note: { type: 'string', maxLength: 500 },
      },
    },
    // A file next to the manifest: no directories, so no path traversal.
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]*\\.json$' },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['adapter', 'endpoint', 'settings', 'mapping'],
      properties: {
        adapter: { enum: adapterKinds.map(({ kind }) => kind) },
        endpoint: { type: 'string', pattern: CODE, maxLength: 50 },
        deadlineMs: { type: 'integer', minimum: 50, maximum: 30000 },
        settings: { type: 'object' },
        mapping: { $ref: '#/$defs/recordMapping' },
      },
      allOf: adapterKinds.map(({ kind, schema }) => ({
        if: { properties: { adapter: { const: kind } }, required: ['adapter'] },
        then: { properties: { settings: schema } },
      })),
    },
    access: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: CODE },
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: DOTTED_CODE },
        additionalProperties: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { type: 'string', minLength: 1 },
        },
      },
    },
  },
  $defs: {
    recordMapping: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { $ref: '#/$defs/fieldMapping' },
    },
    fieldMapping: {
      oneOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: {
            from: { type: 'string', minLength: 1 },
            as: { enum: ['string', 'integer', 'number', 'boolean', 'date'] },
            map: {
              type: 'object',
              additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
            },
            each: { $ref: '#/$defs/recordMapping' },
          },
        },
      ],
    },
  },
});

export const PURPOSES_META_SCHEMA = {
  $id: 'urn:passerelle:meta:purposes',
  type: 'object',
  additionalProperties: false,
  required: ['purposes'],
  properties: {
    $schema: { type: 'string' },
    purposes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'title', 'legalReference'],
        properties: {
          code: { type: 'string', pattern: DOTTED_CODE, maxLength: 100 },
          title: TITLE,
          legalReference: { type: 'string', minLength: 1, maxLength: 300 },
          basis: { enum: ['consent', 'statute'] },
          maxConsentDays: { type: 'integer', minimum: 1, maximum: 3650 },
          caseRefRequired: { type: 'boolean' },
          effectiveFrom: { type: 'string', maxLength: 40 },
          effectiveUntil: { type: 'string', maxLength: 40 },
          disclosure: {
            type: 'object',
            additionalProperties: false,
            required: ['delayDays'],
            properties: { delayDays: { type: 'integer', minimum: 1, maximum: 3650 } },
          },
        },
      },
    },
  },
};
