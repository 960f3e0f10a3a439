export interface Telemetry {
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  endpoint: string | undefined;
  serviceName: string;
  protocol: 'http/protobuf' | 'http/json';
  /** TRACE_SQL_STATEMENTS: a span per PostgreSQL statement of a request (off: the steps' spans time them). */
  sqlStatements: boolean;
}

/**
 * Starts tracing when an OTLP endpoint is configured (src/platform/telemetry/tracing.ts).
 * It must run before http, pg or undici are first required, which is why
 * main.ts calls it before it loads the application. The SDK is loaded only
 * then: a gateway that does not trace does not carry it (about 27 MB).
 */
export async function startTelemetry(otel: TelemetryOptions): Promise<Telemetry | null> {
  const { endpoint } = otel;
  if (endpoint === undefined) return null;
  const { startTracing } = await import('./tracing');
  return startTracing({ ...otel, endpoint });
}
