import type { FastifyRequest } from 'fastify';

/** Provided by the portal: errors that a person's browser should see as a page rather than problem+json. */
export const PROBLEM_PAGE = Symbol('PROBLEM_PAGE');

export interface ProblemPage {
  /** Whether this request is a person's browser asking for a page. */
  wants(request: FastifyRequest): boolean;
  /** The whole HTML page for an error of `status`. */
  render(request: FastifyRequest, status: number): string;
}
