import type { ErrorCode } from '../errors/error-codes';
import type { ListenerName } from '../http/listener';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) or any other OpenAPI object, as plain data. */
export type JsonObject = Record<string, unknown>;

/**
 * Who may call an operation: an agency by its client certificate, a citizen
 * (or an officer, with `role`) by a bearer token, a person signed in to the
 * portal, or anyone.
 */
export type Caller = 'agency' | 'citizen' | 'officer' | 'portal' | 'anyone';

export interface SuccessResponse {
  description: string;
  /** Media type → schema; none for an empty answer (204, a redirect). */
  content?: Record<string, { schema: JsonObject; example?: unknown }>;
  /** Header name → header object (description, schema). */
  headers?: Record<string, JsonObject>;
}

/**
 * One operation as the context that serves it describes it. The platform adds
 * what every route of its listener can answer (identity, admission, parsing);
 * `errors` lists what this route itself refuses with.
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** An OpenAPI path template: `/v1/consent-requests/{id}`. */
  path: string;
  listener: ListenerName;
  caller: Caller;
  tag: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Path, query and header parameters (path parameters are strings unless said otherwise). */
  parameters?: JsonObject[];
  /** The JSON body, when the route takes one: the same schema that validates it. */
  body?: { schema: JsonObject; required: boolean; example?: unknown; contentType?: string; description?: string };
  /** Status → answer. */
  responses: Record<string, SuccessResponse>;
  /** The codes this route's own logic can answer with; the platform's are added. */
  errors: ErrorCode[];
  /** A probe answers even at capacity: no `overloaded`. */
  probe?: boolean;
}

/** What a bounded context contributes to the reference: its operations and the schemas they name. */
export interface ApiPart {
  operations: ApiOperation[];
  schemas?: Record<string, JsonObject>;
  /** Requests the gateway makes to the caller (OpenAPI 3.1 `webhooks`), by name. */
  webhooks?: Record<string, JsonObject>;
}

/** A reference to a shared schema of the document. */
export const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** A path parameter, always a string in the URL. */
export function pathParameter(name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject {
  return { name, in: 'path', required: true, description, schema };
}

/** A JSON answer of `schema`. */
export function jsonResponse(description: string, schema: JsonObject, example?: unknown): SuccessResponse {
  return { description, content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } } };
}

/** An HTML page. */
export function htmlResponse(description: string): SuccessResponse {
  return { description, content: { 'text/html': { schema: { type: 'string' } } } };
}

/** A redirect (303 after a form, 302 to sign in). */
export function redirectResponse(description: string): SuccessResponse {
  return {
    description,
    headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } },
  };
}

/** An ISO 8601 instant as the gateway writes it. */
export const TIMESTAMP = { type: 'string', format: 'date-time' } as const;
/** A UUID. */
export const UUID = { type: 'string', format: 'uuid' } as const;
/** Either a value of `schema` or null. */
export const nullable = (schema: JsonObject): JsonObject => ({ anyOf: [schema, { type: 'null' }] });
