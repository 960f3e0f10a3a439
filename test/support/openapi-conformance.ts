import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { checkAnswersWith } from './agency-client';

type Json = Record<string, unknown>;

/** An answer as a test client saw it. */
export interface ObservedAnswer {
  method: string;
  /** The whole URL, or its path and query. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Operation {
  key: string;
  template: string;
  pattern: RegExp;
  method: string;
  operation: Json;
}

/** A webhook delivery as a test's receiver got it: the gateway's request. */
export interface ObservedDelivery {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** `/v1/consent-requests/{id}` → a regular expression over request paths. */
function patternOf(template: string): RegExp {
  const escaped = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}

function headerValue(headers: ObservedAnswer['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Checks real answers against the OpenAPI document the gateway serves: the
 * status is documented for the operation, the content type is one it lists,
 * a JSON body passes its schema (ajv, JSON Schema 2020-12) and the headers it
 * marks as required are there and match theirs. It keeps which operations and
 * statuses it saw, so a spec can require that every one was exercised.
 */
export class OpenApiConformance {
  readonly seen = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new WeakMap<object, ValidateFunction>();

  /** The webhooks (event types) whose deliveries this instance checked and found documented. */
  readonly seenWebhooks = new Set<string>();

  private constructor(
    readonly document: Json,
    private readonly operations: Operation[],
    private readonly webhooks: Record<string, Json>,
  ) {
    addFormats(this.ajv);
  }

  /** Reads and dereferences the document served at `${publicUrl}/openapi.json`. */
  static async fetch(publicUrl: string): Promise<OpenApiConformance> {
    const response = await fetch(`${publicUrl}/openapi.json`);
    if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}`);
    return OpenApiConformance.of((await response.json()) as Json);
  }

  static async of(document: Json): Promise<OpenApiConformance> {
    const resolved = (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as Json;
    const operations: Operation[] = [];
    for (const [template, item] of Object.entries(resolved.paths as Record<string, Json>)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as Json | undefined;
        if (operation === undefined) continue;
        operations.push({
          key: `${method.toUpperCase()} ${template}`,
          template,
          pattern: patternOf(template),
          method,
          operation,
        });
      }
    }
    // A concrete path is matched before a template that would also match it (OpenAPI 3.1, "Paths Object").
    operations.sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
    return new OpenApiConformance(document, operations, (resolved.webhooks as Record<string, Json> | undefined) ?? {});
  }

  /** Every operation of the document, as `METHOD /template`. */
  get operationKeys(): string[] {
    return this.operations.map((operation) => operation.key);
  }

  /** Every webhook of the document, by name: the event types an agency receives. */
  get webhookNames(): string[] {
    return Object.keys(this.webhooks);
  }

  /** The operations whose documented success answer is JSON (the API, not the portal's pages). */
  jsonOperations(): string[] {
    return this.operations
      .filter(({ operation }) =>
        Object.entries(operation.responses as Record<string, Json>).some(
          ([status, response]) =>
            status.startsWith('2') &&
            Object.keys((response.content as Json | undefined) ?? {}).includes('application/json'),
        ),
      )
      .map((operation) => operation.key);
  }

  /** What is wrong with `answer` by the document; empty when it conforms. */
  problemsOf(answer: ObservedAnswer): string[] {
    const path = new URL(answer.url, 'http://gateway').pathname;
    const method = answer.method.toLowerCase();
    const found = this.operations.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    if (found === undefined) return [`${answer.method} ${path} is not in the document`];
    const label = `${found.key} → ${answer.status}`;
    const responses = found.operation.responses as Record<string, Json>;
    const response =
      responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
    if (response === undefined) return [`${label}: status not documented`];
    this.seen.add(`${found.key} ${answer.status}`);
    const problems: string[] = [];

    for (const [name, header] of Object.entries((response.headers as Record<string, Json> | undefined) ?? {})) {
      const value = headerValue(answer.headers, name);
      if (value === undefined) {
        if (header.required === true) problems.push(`${label}: header ${name} is missing`);
        continue;
      }
      const schema = header.schema as Json | undefined;
      if (schema === undefined) continue;
      const typed = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
      problems.push(...this.validate(schema, typed).map((problem) => `${label}: header ${name} ${problem}`));
    }

    const content = response.content as Record<string, Json> | undefined;
    const type = (headerValue(answer.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (content === undefined) {
      if (answer.text !== '') problems.push(`${label}: documented without a body, answered ${type}`);
      return problems;
    }
    const media = content[type];
    if (media === undefined) {
      return [
        ...problems,
        `${label}: content type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`,
      ];
    }
    if (type === 'application/json' || type.endsWith('+json')) {
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        return [...problems, `${label}: the body is not JSON`];
      }
      problems.push(...this.validate(media.schema as Json, body).map((problem) => `${label}: body ${problem}`));
    }
    return problems;
  }

  /**
   * What is wrong with a webhook delivery by the document's `webhooks`; empty
   * when it conforms. The body's `type` names the webhook; the documented
   * header parameters must be there and match their schemas, the content type
   * must be one the request body lists, and the JSON body must pass its schema
   * and carry no property that the schema does not name (a receiver builds on
   * what is documented, so an undocumented field is a gap in the reference).
   */
  deliveryProblems(delivery: ObservedDelivery): string[] {
    let body: unknown;
    try {
      body = JSON.parse(delivery.text);
    } catch {
      return ['the delivery body is not JSON'];
    }
    const type = (body as Json | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(this.webhooks, type)) {
      return [`a delivery of type ${String(type)} is not among the document's webhooks`];
    }
    const operation = this.webhooks[type][delivery.method.toLowerCase()] as Json | undefined;
    if (operation === undefined) return [`webhook ${type}: ${delivery.method} is not documented`];
    const label = `webhook ${type}`;
    const problems: string[] = [];

    for (const parameter of (operation.parameters as Json[] | undefined) ?? []) {
      if (parameter.in !== 'header') continue;
      const name = String(parameter.name);
      const value = headerValue(delivery.headers, name);
      if (value === undefined) {
        if (parameter.required === true) problems.push(`${label}: header ${name} is missing`);
        continue;
      }
      const schema = parameter.schema as Json | undefined;
      if (schema !== undefined) {
        problems.push(...this.validate(schema, value).map((problem) => `${label}: header ${name} ${problem}`));
      }
    }

    const content = ((operation.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>;
    const contentType = (headerValue(delivery.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    const media = content[contentType];
    if (media === undefined) {
      return [
        ...problems,
        `${label}: content type ${contentType || '(none)'} is not one of ${Object.keys(content).join(', ')}`,
      ];
    }
    const schema = media.schema as Json;
    problems.push(...this.validate(schema, body).map((problem) => `${label}: body ${problem}`));
    problems.push(
      ...undocumentedProperties(schema, body, '').map((pointer) => `${label}: body ${pointer} is not documented`),
    );
    if (problems.length === 0) this.seenWebhooks.add(type);
    return problems;
  }

  /** Fails the test, naming each difference, unless `answer` conforms. */
  expectConforms(answer: ObservedAnswer): void {
    const problems = this.problemsOf(answer);
    if (problems.length > 0)
      throw new Error(`The answer does not conform to the OpenAPI document:\n${problems.join('\n')}`);
  }

  private validate(schema: Json, value: unknown): string[] {
    let validate = this.validators.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  }
}

/**
 * The JSON pointers of `value`'s properties that `schema` does not name, where
 * the schema lists `properties` and says nothing of the others (no
 * `additionalProperties`, `patternProperties` or composition at that level).
 */
function undocumentedProperties(schema: Json, value: unknown, pointer: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) {
    const items = schema.items as Json | undefined;
    return items === undefined
      ? []
      : value.flatMap((item, i) => undocumentedProperties(items, item, `${pointer}/${i}`));
  }
  const properties = schema.properties as Record<string, Json> | undefined;
  if (properties === undefined) return [];
  const open = ['additionalProperties', 'patternProperties', 'unevaluatedProperties', 'allOf', 'anyOf', 'oneOf'].some(
    (keyword) => keyword in schema,
  );
  return Object.entries(value as Json).flatMap(([name, child]) => {
    const at = `${pointer}/${name}`;
    if (Object.hasOwn(properties, name)) return undocumentedProperties(properties[name], child, at);
    return open ? [] : [at];
  });
}

/** A fetch Response, read whole, as an ObservedAnswer (and its text, for the test to use). */
export async function observed(method: string, url: string, response: Response): Promise<ObservedAnswer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method, url, status: response.status, headers, text: await response.text() };
}

/**
 * Checks every answer the agency client (`call`) receives in this test file
 * against the reference the gateway serves; a spec opts in from its beforeAll.
 */
export async function checkAgencyAnswers(publicUrl: string): Promise<OpenApiConformance> {
  const conformance = await OpenApiConformance.fetch(publicUrl);
  checkAnswersWith((method, url, response) =>
    conformance.expectConforms({
      method,
      url,
      status: response.status,
      headers: response.headers,
      text: response.text,
    }),
  );
  return conformance;
}
