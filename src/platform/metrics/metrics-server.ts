import { createServer, type Server, type ServerResponse } from 'node:http';
import type { ErrorCode } from '../errors/error-codes';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { newCorrelationId } from '../http/http-servers';
import type { Metrics } from './metrics';

function sendProblem(response: ServerResponse, code: ErrorCode): void {
  const problem = buildProblem(code, newCorrelationId());
  response
    .writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE, 'x-correlation-id': problem.correlationId })
    .end(JSON.stringify(problem));
}

/**
 * The operations listener: `GET /metrics` and nothing else. It is a plain
 * Node server, apart from the public listener, so that scrapes are neither
 * reachable by citizens nor counted against the public in-flight cap, and it
 * binds to loopback by default (METRICS_LISTEN): process and business metrics
 * are for the operator's network only.
 */
export function createMetricsServer(metrics: Metrics): Server {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      sendProblem(response, 'not-found');
      return;
    }
    metrics.registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => sendProblem(response, 'internal-error'),
    );
  });
  // A scrape is small and quick; nobody holds this listener open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
