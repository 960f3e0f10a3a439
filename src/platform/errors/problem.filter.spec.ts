import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from './domain-error';
import { describeErrorCode, type ErrorCode } from './error-codes';
import { buildProblem } from './problem';
import { classifyError, explainFromRequest } from './problem.filter';
import type { FastifyRequest } from 'fastify';
import { TLSSocket } from 'node:tls';
import { Socket } from 'node:net';

describe('classifyError', () => {
  it('keeps the code, detail and retry hint of a DomainError', () => {
    const error = new DomainError('source-unavailable', 'Revenu Québec is not answering', { retryAfterSeconds: 30 });
    expect(classifyError(error)).toEqual({
      code: 'source-unavailable',
      detail: 'Revenu Québec is not answering',
      retryAfterSeconds: 30,
      extensions: undefined,
    });
  });

  it('keeps the explanation a DomainError carries, to be written in the caller’s language', () => {
    const explanation = { id: 'json-too-deep', maxDepth: 32 } as const;
    expect(classifyError(new DomainError('invalid-request', undefined, { explanation }))).toMatchObject({
      code: 'invalid-request',
      explanation,
    });
  });

  it('maps Nest HTTP exceptions by status, dropping their messages', () => {
    expect(classifyError(new NotFoundException('Cannot GET /secret/path'))).toEqual({ code: 'not-found' });
    expect(classifyError(new PayloadTooLargeException())).toEqual({ code: 'payload-too-large' });
  });

  it("maps Fastify's 4xx errors by status", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415 });
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 });
    expect(classifyError(tooLarge)).toEqual({ code: 'payload-too-large' });
    expect(classifyError(mediaType)).toEqual({ code: 'unsupported-media-type' });
    expect(classifyError(badJson)).toEqual({ code: 'invalid-request' });
  });

  it('reduces anything unexpected to internal-error with no detail, whatever its message', () => {
    const leaky = new Error('duplicate key value violates unique constraint; SELECT * FROM consent WHERE citizen=...');
    expect(classifyError(leaky)).toEqual({ code: 'internal-error' });
    expect(classifyError('a thrown string')).toEqual({ code: 'internal-error' });
    expect(classifyError(Object.assign(new Error('upstream said 500'), { statusCode: 502 }))).toEqual({
      code: 'internal-error',
    });
  });
});

describe('explainFromRequest', () => {
  const requestOn = (socket: Socket, url: string): FastifyRequest =>
    ({ raw: { socket }, url, method: 'POST' }) as unknown as FastifyRequest;

  it('names JSON on the agency listener and on the JSON APIs, the form on the portal’s pages', () => {
    const agency = new TLSSocket(new Socket());
    const plain = new Socket();
    expect(explainFromRequest('unsupported-media-type', requestOn(agency, '/v1/exchanges'))).toEqual({
      id: 'media-type-unsupported',
      expected: 'application/json',
    });
    expect(explainFromRequest('unsupported-media-type', requestOn(plain, '/v1/me/consents'))).toEqual({
      id: 'media-type-unsupported',
      expected: 'application/json',
    });
    expect(explainFromRequest('unsupported-media-type', requestOn(plain, '/consents/new/review'))).toEqual({
      id: 'media-type-unsupported',
      expected: 'application/x-www-form-urlencoded',
    });
    agency.destroy();
    plain.destroy();
  });

  it('adds nothing to other codes', () => {
    expect(explainFromRequest('consent-required', requestOn(new Socket(), '/v1/exchanges'))).toBeUndefined();
  });
});

describe('buildProblem', () => {
  it('produces the RFC 9457 members plus code and correlationId', () => {
    expect(buildProblem('consent-required', 'abc123')).toEqual({
      type: 'urn:passerelle:problem:consent-required',
      title: 'Consent required',
      status: 403,
      code: 'consent-required',
      correlationId: 'abc123',
    });
  });

  it('cannot let an extension override the standard members', () => {
    const problem = buildProblem('invalid-request', 'id', undefined, { status: 200, code: 'x', errors: [] });
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('invalid-request');
    expect(problem.errors).toEqual([]);
  });
});

describe('describeErrorCode', () => {
  it.each<[ErrorCode, number]>([
    ['client-certificate-required', 401],
    ['client-not-registered', 403],
    ['product-not-found', 404],
    ['purpose-not-allowed', 403],
    ['consent-required', 403],
    ['invalid-request', 400],
    ['payload-too-large', 413],
    ['unsupported-media-type', 415],
    ['source-unavailable', 503],
    ['source-timeout', 504],
    ['source-contract-violation', 502],
    ['audit-unavailable', 503],
    ['rate-limited', 429],
  ])('answers %s with %i (see README, section "Errors")', (code, status) => {
    expect(describeErrorCode(code).status).toBe(status);
  });
});
