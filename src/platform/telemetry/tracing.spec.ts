import { instrumentationsFor } from './tracing';

describe('instrumentationsFor', () => {
  const names = (sqlStatements: boolean): string[] => {
    const instrumentations = instrumentationsFor({ sqlStatements });
    for (const instrumentation of instrumentations) instrumentation.disable();
    return instrumentations.map((instrumentation) => instrumentation.instrumentationName);
  };

  it('traces HTTP in and out, and no PostgreSQL statement, by default', () => {
    expect(names(false).sort()).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-undici',
    ]);
  });

  it('traces each PostgreSQL statement when TRACE_SQL_STATEMENTS is on', () => {
    expect(names(true)).toContain('@opentelemetry/instrumentation-pg');
  });
});
