import type { ErrorObject } from 'ajv';

/** A problem with one member of a request: a JSON pointer and a message. */
export interface FieldProblem {
  pointer: string;
  message: string;
}

/**
 * Turns ajv's errors into pointers and messages only: a rejected value (a
 * citizen id, say) is never echoed back. A missing or unexpected member is
 * named by its own pointer.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[]): FieldProblem[] {
  return errors
    .filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if')
    .map((error) => ({
      pointer:
        error.keyword === 'required'
          ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`
          : error.keyword === 'additionalProperties'
            ? `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`
            : error.instancePath || '/',
      message: error.message ?? 'is invalid',
    }));
}
