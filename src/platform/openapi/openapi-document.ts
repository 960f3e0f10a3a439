import type { ApiOperation, ApiPart, Caller, JsonObject } from './api-operation';
import { platformErrors, PROBLEM_SCHEMA, problemResponses } from './problem-responses';
import { REFERENCE_DESCRIPTION, SHARED_HEADERS, SHARED_PARAMETERS } from './reference-text';

/** Where the two listeners are reached, as the document's `servers` say. */
export interface ListenerAddresses {
  /** The agency listener's port; its host is a server variable (`localhost` in development). */
  agencyPort: number;
  /** The public listener's base URL: PUBLIC_BASE_URL, or localhost on its port. */
  publicUrl: string;
}

/** A product's contract as the exchange answer releases it. */
export interface ProductSchema {
  product: string;
  version: number;
  title: { fr: string; en: string };
  /** The contract's data JSON Schema (2020-12). */
  schema: JsonObject;
}

export interface ReferenceInput {
  version: string;
  listeners: ListenerAddresses;
  parts: readonly ApiPart[];
  products: readonly ProductSchema[];
  /** Security schemes a part brings (the portal's session cookie). */
  securitySchemes?: Record<string, JsonObject>;
}

/** The name of a product's released-data schema under components: `Data.saaq.adresse.v1`. */
export function productSchemaName(product: string, version: number): string {
  return `Data.${product}.v${version}`;
}

/**
 * What an exchange releases of a product: the contract's fields, each one
 * present only when the contract grants it for the purpose (and the consent,
 * if it narrows them, keeps it). So the contract's `required` does not hold
 * for the answer; each field's own schema does.
 */
export function releasedDataSchema(product: ProductSchema): JsonObject {
  const { $schema: _dialect, $id: _id, required: _required, title: _title, ...rest } = product.schema;
  const base = `#/components/schemas/${productSchemaName(product.product, product.version)}`;
  return {
    ...(rebased(rest, base) as JsonObject),
    title: `${product.title.en} / ${product.title.fr}`,
    description:
      `The released fields of \`${product.product}\` v${product.version}: only those the contract grants ` +
      `for the purpose, narrowed by the consent. The full contract and schema: ` +
      `GET /v1/catalogue/${product.product}/versions/${product.version}.`,
  };
}

/**
 * A contract's schema refers to its own definitions from its root (`#/$defs/amount`); placed under
 * components, that root is `base`.
 */
function rebased(value: unknown, base: string): unknown {
  if (Array.isArray(value)) return value.map((item) => rebased(item, base));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => [
      name,
      name === '$ref' && typeof member === 'string' && member.startsWith('#/')
        ? `${base}${member.slice(1)}`
        : rebased(member, base),
    ]),
  );
}

const SECURITY: Record<Caller, JsonObject[]> = {
  agency: [{ mutualTLS: [] }],
  citizen: [{ bearer: [] }],
  officer: [{ bearer: [] }],
  portal: [{ portalSession: [] }],
  anyone: [],
};

const SERVER_OF = { agency: 0, public: 1 } as const;

function servers(listeners: ListenerAddresses): JsonObject[] {
  return [
    {
      url: 'https://{host}:{port}',
      description:
        'Agency listener: mutual TLS, a client certificate bound to a registered organisation. `host` is the name ' +
        'its server certificate carries (`localhost` in development).',
      // No `description` on the variables: the OpenAPI 3.1 schema the validators use misspells that member.
      variables: { host: { default: 'localhost' }, port: { default: String(listeners.agencyPort) } },
    },
    { url: listeners.publicUrl, description: 'Public listener: citizens, privacy officers, portal, health, keys' },
  ];
}

function operationObject(operation: ApiOperation, allServers: JsonObject[]): JsonObject {
  const { body } = operation;
  const asPage = operation.tag === 'portal';
  const errors = problemResponses([...platformErrors(operation), ...operation.errors], asPage);
  if (body !== undefined && !asPage) {
    const bad = errors['400'] as { description: string };
    bad.description += '. Also for a body that is not well-formed JSON, nests too deep or names a member twice';
  }
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      ...response,
      headers: { 'x-correlation-id': { $ref: '#/components/headers/CorrelationId' }, ...response.headers },
    };
  }
  const role = operation.caller === 'officer' ? ' Requires the `privacy-officer` role in the token.' : '';
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description === undefined && role === ''
      ? {}
      : { description: `${operation.description ?? ''}${role}`.trim() }),
    servers: [allServers[SERVER_OF[operation.listener]]],
    security: SECURITY[operation.caller],
    ...(operation.parameters === undefined ? {} : { parameters: operation.parameters }),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: body.required,
            ...(body.description === undefined ? {} : { description: body.description }),
            content: {
              [body.contentType ?? 'application/json']: {
                schema: body.schema,
                ...(body.example === undefined ? {} : { example: body.example }),
              },
            },
          },
        }),
    responses: { ...responses, ...errors },
  };
}

/**
 * The OpenAPI 3.1 reference, assembled from what each bounded context
 * declares of its routes and from the loaded catalogue. Pure: the same parts
 * and catalogue give the same document.
 */
export function buildOpenApiDocument(input: ReferenceInput): JsonObject {
  const allServers = servers(input.listeners);
  const paths: Record<string, Record<string, JsonObject>> = {};
  const schemas: Record<string, JsonObject> = { Problem: PROBLEM_SCHEMA };
  const webhooks: Record<string, JsonObject> = {};
  for (const part of input.parts) {
    Object.assign(schemas, part.schemas);
    Object.assign(webhooks, part.webhooks);
    for (const operation of part.operations) {
      const item = (paths[operation.path] ??= {});
      if (item[operation.method] !== undefined) {
        throw new Error(`${operation.method.toUpperCase()} ${operation.path} is described twice`);
      }
      item[operation.method] = operationObject(operation, allServers);
    }
  }
  for (const product of input.products) {
    schemas[productSchemaName(product.product, product.version)] = releasedDataSchema(product);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Passerelle',
      version: input.version,
      summary: 'Tell-us-once data exchange gateway between government agencies',
      description: REFERENCE_DESCRIPTION,
    },
    servers: allServers,
    tags: [
      { name: 'agency', description: 'Agency API, on the agency listener over mutual TLS' },
      { name: 'citizen', description: 'Citizen API, on the public listener with a bearer token from the IdP' },
      { name: 'officer', description: 'Privacy officer API: a bearer token with the `privacy-officer` role' },
      { name: 'public', description: 'Keys, health and this reference' },
      { name: 'portal', description: 'The citizen and officer web portal: HTML pages and forms' },
    ],
    paths,
    webhooks,
    components: {
      schemas,
      headers: SHARED_HEADERS,
      parameters: SHARED_PARAMETERS,
      securitySchemes: {
        mutualTLS: {
          type: 'mutualTLS',
          description:
            'A client certificate chained to the agency CA, not expired nor revoked, whose fingerprint is bound to ' +
            'a registered, active organisation (`npm run cli -- org bind-cert`). It is checked on every request.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT of the government identity provider: `sub` is the citizen’s pivot id; an officer’s token carries ' +
            'the `privacy-officer` role.',
        },
        ...input.securitySchemes,
      },
    },
  };
}
