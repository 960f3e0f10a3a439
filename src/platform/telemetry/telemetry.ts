import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts tracing when an OTLP endpoint is configured. Only HTTP in and out and
 * pg are instrumented, to keep the cost on the hot path small. It must run
 * before http, pg or undici are first required, which is why main.ts calls it
 * before it loads the application.
 */
export function startTelemetry(endpoint: string | undefined, serviceName: string): Telemetry | null {
  if (endpoint === undefined) return null;
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are noise in traces.
        ignoreIncomingRequestHook: (request) =>
          request.url?.startsWith('/health') === true || request.url === '/metrics',
      }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
