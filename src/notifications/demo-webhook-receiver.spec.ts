import { loadConfig } from '../platform/config/config';
import { demoWebhookReceiverWanted, demoWebhookToSet, keepLast } from './demo-webhook-receiver';

describe('keepLast', () => {
  it('appends, and drops the oldest past the capacity', () => {
    expect(keepLast([1, 2], 3, 3)).toEqual([1, 2, 3]);
    expect(keepLast([1, 2, 3], 4, 3)).toEqual([2, 3, 4]);
  });

  it('does not change the list it was given', () => {
    const entries = [1, 2, 3];
    keepLast(entries, 4, 3);
    expect(entries).toEqual([1, 2, 3]);
  });
});

describe('demoWebhookReceiverWanted', () => {
  const config = (env: Record<string, string>) => loadConfig({ OIDC_ISSUER: 'https://idp.example', ...env }, '/srv');

  it('runs in development, with the simulators and the demo seed', () => {
    expect(demoWebhookReceiverWanted(config({ NODE_ENV: 'development' }))).toBe(true);
  });

  it.each([
    ['without the simulators', { NODE_ENV: 'development', SIMULATORS: 'false' }],
    ['without the demo seed', { NODE_ENV: 'development', DEMO_SEED: 'false' }],
    ['where callbacks may not reach loopback', { NODE_ENV: 'development', WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8' }],
    [
      'in production, where callbacks must be HTTPS',
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/passerelle',
        DEMO_SEED: 'true',
        SIMULATORS: 'true',
        WEBHOOK_ALLOWED_NETWORKS: 'any',
      },
    ],
  ])('does not run %s', (_, env) => {
    expect(demoWebhookReceiverWanted(config(env))).toBe(false);
  });

  it('listens on port 9105 unless DEMO_WEBHOOK_PORT says otherwise', () => {
    expect(config({}).sources.demoWebhookPort).toBe(9105);
    expect(config({ DEMO_WEBHOOK_PORT: '0' }).sources.demoWebhookPort).toBe(0);
  });
});

describe('demoWebhookToSet', () => {
  const receiver = 'http://127.0.0.1:9105';

  it('registers the receiver for an agency that has no webhook', () => {
    expect(demoWebhookToSet(undefined, receiver, 'retraite-qc')).toBe('http://127.0.0.1:9105/retraite-qc');
  });

  it('leaves a webhook that is already the receiver', () => {
    expect(demoWebhookToSet('http://127.0.0.1:9105/retraite-qc', receiver, 'retraite-qc')).toBeUndefined();
  });

  it('moves a receiver of an earlier start on another port', () => {
    expect(demoWebhookToSet('http://127.0.0.1:40123/retraite-qc', receiver, 'retraite-qc')).toBe(
      'http://127.0.0.1:9105/retraite-qc',
    );
  });

  it.each(['https://retraite.example/hooks', 'http://127.0.0.1:8000/hooks', 'http://127.0.0.1:40123/mess'])(
    'leaves %s, which the agency registered itself',
    (existing) => {
      expect(demoWebhookToSet(existing, receiver, 'retraite-qc')).toBeUndefined();
    },
  );
});
