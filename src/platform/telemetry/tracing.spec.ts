import { instrumentationsFor } from './tracing';

describe('instrumentationsFor', () => {
  const names = (sqlStatements: boolean): string[] => {
    const instrumentations = instrumentationsFor({ sqlStatements });
    for (const instrumentation of instrumentations) instrumentation.disable();
    return instrumentations.map((instrumentation) => instrumentation.instrumentationName);
  };

  it("traces node:http out (server spans are the gateway's own), not PostgreSQL statements or undici, by default", () => {
    expect(names(false)).toEqual(['@opentelemetry/instrumentation-http']);
  });

  it('traces each PostgreSQL statement when TRACE_SQL_STATEMENTS is on', () => {
    expect(names(true)).toContain('@opentelemetry/instrumentation-pg');
  });
});
