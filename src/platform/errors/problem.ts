import { describeErrorCode, type ErrorCode } from './error-codes';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document, with the gateway's `code` and `correlationId` members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  correlationId: string;
  detail?: string;
  [extension: string]: unknown;
}

export function problemTypeUri(code: ErrorCode): string {
  return `urn:passerelle:problem:${code}`;
}

export function buildProblem(
  code: ErrorCode,
  correlationId: string,
  detail?: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const { status, title } = describeErrorCode(code);
  const problem: Problem = { ...extensions, type: problemTypeUri(code), title, status, code, correlationId };
  if (detail !== undefined) problem.detail = detail;
  return problem;
}
