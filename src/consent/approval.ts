import type { ConsentRequest } from './consent-request.repository';
import { compileShape, type FieldProblem, type TermsInput } from './consent-terms';

/** What the citizen decides when approving a request. Absent, each choice stays as the agency asked. */
export interface ApprovalChoice {
  /** Keep the requester up to date with changes to the products (an ongoing request only). */
  keepUpToDate?: boolean;
}

/** The optional body of an approval; the API reference publishes this same schema. */
export const APPROVAL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { keepUpToDate: { type: 'boolean' } },
} as const;

const parseChoice = compileShape<ApprovalChoice>(APPROVAL_SCHEMA);

/** The body of an approval: none at all keeps the request's terms; anything else must match the schema. */
export function parseApproval(body: unknown): ApprovalChoice | FieldProblem[] {
  return body === undefined ? {} : parseChoice(body);
}

/** The terms the citizen approves: the request's, with the citizen's choice where they made one. */
export function approvalTerms(request: ConsentRequest, choice: ApprovalChoice): TermsInput {
  return {
    requester: request.requester,
    purpose: request.purpose,
    products: request.products,
    validUntil: request.validUntil?.toISOString(),
    mode: request.mode,
    keepUpToDate: choice.keepUpToDate ?? request.keepUpToDate,
  };
}
