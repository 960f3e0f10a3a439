import Ajv from 'ajv';
import { DomainError } from '../platform/errors/domain-error';
import { describeSchemaErrors, type FieldProblem } from '../platform/http/schema-problems';
import { parseTimestamp } from '../platform/http/timestamp';

/** The most changes one call may report: a source's nightly run. */
export const MAX_CHANGES = 10_000;
/** A change may be dated a little ahead of the gateway's clock (the source's clock may run fast), not more. */
const FUTURE_TOLERANCE_MS = 60_000;

/** One change as the owner reports it: the citizen by the owner's sector identifier. */
export interface ChangeInput {
  product: string;
  citizen: string;
  changedAt: string;
}

export interface ReportedChange {
  product: string;
  citizen: string;
  changedAt: Date;
}

/** One change, as POST /v1/changes takes it; the API reference publishes this same schema. */
export const CHANGE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'citizen', 'changedAt'],
  properties: {
    product: { type: 'string', pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$', maxLength: 100 },
    citizen: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
    changedAt: { type: 'string', minLength: 1, maxLength: 40 },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateOne = ajv.compile<ChangeInput>(CHANGE_SCHEMA);
/** A batch of changes. */
export const CHANGE_BATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['changes'],
  properties: { changes: { type: 'array', minItems: 1, maxItems: MAX_CHANGES, items: CHANGE_SCHEMA } },
} as const;
const validateBatch = ajv.compile<{ changes: ChangeInput[] }>(CHANGE_BATCH_SCHEMA);

/**
 * Reads `POST /v1/changes`: one change, or `{"changes": [...]}`. Every
 * problem is named by its JSON pointer (400 `invalid-request`), a `changedAt`
 * that is not an RFC 3339 time or lies in the future included. Pure.
 */
export function parseChanges(body: unknown, now: Date): { batch: boolean; changes: ReportedChange[] } {
  const batch = typeof body === 'object' && body !== null && Object.hasOwn(body, 'changes');
  const validate = batch ? validateBatch : validateOne;
  if (!validate(body)) throw invalid(describeSchemaErrors(validate.errors ?? []));
  const inputs = batch ? (body as { changes: ChangeInput[] }).changes : [body as ChangeInput];
  const problems: FieldProblem[] = [];
  const changes = inputs.map((input, index) => {
    const pointer = batch ? `/changes/${index}/changedAt` : '/changedAt';
    const changedAt = parseTimestamp(input.changedAt);
    if (changedAt === undefined) problems.push({ pointer, message: 'is not an RFC 3339 date-time' });
    else if (changedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      problems.push({ pointer, message: 'must not be in the future' });
    }
    return { product: input.product, citizen: input.citizen, changedAt: changedAt ?? now };
  });
  if (problems.length > 0) throw invalid(problems.slice(0, 100));
  return { batch, changes };
}

function invalid(errors: FieldProblem[]): DomainError {
  return new DomainError('invalid-request', 'The change report does not match its schema', {
    extensions: { errors },
  });
}
