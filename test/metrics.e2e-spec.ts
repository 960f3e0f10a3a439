/**
 * The operator's metrics: exchanges by product and decision, breaker states,
 * the outbox backlog and the audit checkpoint lag, and the Grafana dashboard
 * in docker/ held to the metrics the gateway really exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/** How mess names the demo citizens. */
const ONE = citizenIdOf('mess', 'demo-citizen-1');
const TWO = citizenIdOf('mess', 'demo-citizen-2');

const DASHBOARD = join(__dirname, '..', 'docker', 'grafana', 'passerelle-dashboard.json');

interface Dashboard {
  panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
}

/** The value of the one sample `name{labels}` (labels in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('Metrics', () => {
  let t: TestGateway;
  let mess: Agent;
  let text: string;

  const exchange = (body: Record<string, unknown>): ReturnType<typeof call> =>
    call(mess, `${t.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, purpose: 'mess.aide-sociale', ...body }),
    });

  beforeAll(async () => {
    t = await startTestGateway();
    mess = agencyAgent(t.certsDir, 'mess');
    const granted = await grantConsent(t.publicUrl, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(granted.status).toBe(201);
    expect((await exchange({ product: 'saaq.adresse', citizen: ONE })).status).toBe(200);
    expect((await exchange({ product: 'saaq.adresse', citizen: ONE })).status).toBe(200);
    expect((await exchange({ product: 'saaq.adresse', citizen: TWO })).status).toBe(403);
    expect((await exchange({ product: 'made-up.product-x1', citizen: ONE })).status).toBe(404);
    text = await (await fetch(`${t.metricsUrl}/metrics`)).text();
  });

  afterAll(async () => {
    await mess.close();
    await t.stop();
  });

  it('counts and times exchanges by product, organisation and decision', () => {
    const of = (product: string, decision: string): number | undefined =>
      sample(text, 'passerelle_exchanges_total', { product, organisation: 'mess', decision });
    expect(of('saaq.adresse', 'allow')).toBe(2);
    expect(of('saaq.adresse', 'deny')).toBe(1);
    expect(of('saaq.adresse', 'error')).toBeUndefined();
    // A name the catalogue does not know is counted, but never becomes a label value.
    expect(of('unknown', 'deny')).toBe(1);
    expect(text).not.toContain('made-up.product-x1');
    expect(
      sample(text, 'passerelle_exchange_duration_seconds_count', { product: 'saaq.adresse', decision: 'allow' }),
    ).toBe(2);
    // No citizen in any label.
    expect(text).not.toMatch(/demo-citizen/);
    for (const identifier of [ONE, TWO]) expect(text).not.toContain(identifier);
  });

  it('reports each source breaker in exactly one state', () => {
    const sources = new Set(
      [...text.matchAll(/^passerelle_source_breaker_state\{[^}]*source="([^"]+)"/gm)].map((match) => match[1]),
    );
    expect(sources.size).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      const states = ['closed', 'open', 'half-open', 'isolated'].map(
        (state) => sample(text, 'passerelle_source_breaker_state', { source, state }) ?? 0,
      );
      expect(states).toEqual([1, 0, 0, 0]);
    }
  });

  it('reports the outbox backlog and the audit checkpoint lag as numbers', () => {
    for (const stage of ['undispatched', 'undelivered']) {
      expect(sample(text, 'passerelle_outbox_backlog', { stage })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'passerelle_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    // Two records per released exchange, one per refusal, and not yet checkpointed (every 1,000 by default).
    expect(sample(text, 'passerelle_audit_checkpoint_lag_records')).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'passerelle_audit_batch_records_sum')).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'passerelle_audit_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('has a Grafana dashboard whose every query names metrics the gateway exports', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)/gm)].map((match) => match[1]));
    const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    const named = new Set<string>();
    for (const panel of graphs) {
      expect(panel.datasource?.uid).toBe('${datasource}');
      expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) {
        for (const [metric] of expr.matchAll(/\b(?:passerelle|process|nodejs)_[a-z0-9_]+/g)) {
          named.add(metric);
          expect({
            panel: panel.title,
            metric,
            exported: exported.has(metric.replace(/_(bucket|sum|count)$/, '')),
          }).toEqual({ panel: panel.title, metric, exported: true });
        }
      }
    }
    // The list: by product and decision, breakers, outbox backlog, checkpoint lag.
    expect([...named]).toEqual(
      expect.arrayContaining([
        'passerelle_exchanges_total',
        'passerelle_exchange_duration_seconds_bucket',
        'passerelle_source_breaker_state',
        'passerelle_outbox_backlog',
        'passerelle_audit_checkpoint_lag_records',
      ]),
    );
  });
});
