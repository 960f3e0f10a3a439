import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { outgoingUrlAttributes } from './redaction';
import { traceIncomingRequests } from './request-spans';
import { SynchronousContextManager } from './synchronous-context-manager';
import type { Telemetry, TelemetryOptions } from './telemetry';

/**
 * What is traced: HTTP in (request-spans.ts) and out through node:http, and
 * PostgreSQL statements only when asked for. A statement's span costs as much
 * as a step's, and an exchange makes several: the steps that make them
 * (decide, the audit appends, the fetch) already time them. Calls to sources
 * (undici) have no span of their own either: the fetch step's span names the
 * source and its answer's status, and the call carries the trace context
 * (spans.ts, withTraceContext). OpenTelemetry's HTTP instrumentation traces
 * outgoing calls only: the server spans are the gateway's own, at a fraction
 * of the instrumentation's cost (request-spans.ts says why).
 */
export function instrumentationsFor(
  options: Pick<TelemetryOptions, 'sqlStatements'>,
): (HttpInstrumentation | PgInstrumentation)[] {
  return [
    new HttpInstrumentation({
      disableIncomingRequestInstrumentation: true,
      startOutgoingSpanHook: (request) => {
        const port = request.port === undefined || request.port === null ? '' : `:${String(request.port)}`;
        return outgoingUrlAttributes(`${request.protocol ?? 'http:'}//${request.hostname ?? 'localhost'}${port}`);
      },
    }),
    // Statements of a request, not pool checkouts; the audit sequencer's shared batches have no parent.
    ...(options.sqlStatements
      ? [new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true, ignoreConnectSpans: true })]
      : []),
  ];
}

/**
 * Starts the OpenTelemetry SDK, exporting to the OTLP endpoint. Only HTTP in
 * (request-spans.ts) and out, the few manual spans of the exchange (src/platform/telemetry/spans.ts)
 * and, when asked for, pg statements are traced, to keep the cost on the hot
 * path small. Metrics are Prometheus (/metrics), so the SDK's own metric and
 * log pipelines stay off. The standard OTEL_TRACES_SAMPLER and OTEL_BSP_*
 * variables apply.
 */
export function startTracing(otel: TelemetryOptions & { endpoint: string }): Telemetry {
  const url = `${otel.endpoint.replace(/\/$/, '')}/v1/traces`;
  const sdk = new NodeSDK({
    serviceName: otel.serviceName,
    // Protobuf by default, as OTLP specifies: it costs the gateway less than JSON to encode.
    traceExporter: otel.protocol === 'http/json' ? new JsonTraceExporter({ url }) : new ProtobufTraceExporter({ url }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: instrumentationsFor(otel),
    // No AsyncLocalStorage: contexts are handed on explicitly (synchronous-context-manager.ts).
    contextManager: new SynchronousContextManager(),
  });
  sdk.start();
  traceIncomingRequests();
  return {
    shutdown: () => {
      traceIncomingRequests(false);
      return sdk.shutdown();
    },
  };
}
