import { redactUrl } from './logging';

describe('redactUrl', () => {
  it('hides citizen ids in query strings', () => {
    expect(redactUrl('/v1/audit/events?citizen=demo-citizen-1&org=afe')).toBe(
      '/v1/audit/events?citizen=[Redacted]&org=afe',
    );
  });

  it('matches parameter names case-insensitively', () => {
    expect(redactUrl('/x?CitizenId=abc')).toBe('/x?CitizenId=[Redacted]');
  });

  it('leaves URLs without sensitive parameters untouched', () => {
    expect(redactUrl('/v1/catalogue?lang=fr')).toBe('/v1/catalogue?lang=fr');
    expect(redactUrl('/health/live')).toBe('/health/live');
  });

  it('does not throw on a name that will not decode, and redacts its value', () => {
    expect(redactUrl('/health/live?%zz=1&%63itizen%E0=demo-citizen-1&org=%zz')).toBe(
      '/health/live?%zz=[Redacted]&%63itizen%E0=[Redacted]&org=%zz',
    );
  });
});
