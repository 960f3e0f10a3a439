import type { Agent } from 'undici';
import { agencyAgent, call } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { bearer, citizenToken } from './support/citizen-tokens';
import { createTestDatabase, startTestGateway, type TestGateway } from './support/test-gateway';

/** An exchange nobody consented to: refused, and recorded in the primary's audit log. */
const UNCONSENTED = {
  product: 'revenu.avis-cotisation',
  version: 1,
  purpose: 'afe.calcul-aide',
  citizen: citizenIdOf('afe', 'demo-citizen-4'),
};

interface Events {
  events: { seq: number; kind: string; organisation?: string }[];
}

describe('Reads that may lag go to the read replica; decisions and the chain head never do', () => {
  let officer: string;

  beforeAll(async () => {
    officer = await citizenToken('demo-officer', ['privacy-officer']);
  });

  const refusedExchange = async (gateway: TestGateway, afe: Agent): Promise<void> => {
    const refused = await call(afe, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(UNCONSENTED),
    });
    expect(refused.status).toBe(403);
  };
  const asOfficer = (gateway: TestGateway, path: string): Promise<Response> =>
    fetch(`${gateway.publicUrl}${path}`, { headers: bearer(officer) });

  it('searches and CSV exports read the replica, which lags; the exchange and the JSONL export read the primary', async () => {
    // The "replica": a copy of the schema that has received nothing of this gateway's log.
    const gateway = await startTestGateway({ env: { DATABASE_REPLICA_URL: await createTestDatabase() } });
    const afe = agencyAgent(gateway.certsDir, 'afe');
    try {
      // The decision is the primary's: the exchange is refused and recorded there.
      await refusedExchange(gateway, afe);
      const search = (await (await asOfficer(gateway, '/v1/audit/events?org=afe')).json()) as Events;
      expect(search.events).toEqual([]);
      const csv = await (await asOfficer(gateway, '/v1/audit/events/export?format=csv&org=afe')).text();
      expect(csv.trim().split('\n')).toHaveLength(1);
      // The verifiable export is read up to the primary's head: what the replica lacks comes from the primary.
      const jsonl = await (await asOfficer(gateway, '/v1/audit/events/export?format=jsonl')).text();
      const records = jsonl
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { seq?: number; canonical?: string });
      const payloads = records.flatMap((r) =>
        r.canonical === undefined ? [] : [JSON.parse(r.canonical) as { kind: string; organisation?: string }],
      );
      expect(payloads.some((p) => p.kind === 'exchange.outcome' && p.organisation === 'afe')).toBe(true);
      const seqs = records.flatMap((r) => (typeof r.seq === 'number' ? [r.seq] : []));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await afe.close();
      await gateway.stop();
    }
  });

  it('falls back to the primary while the replica cannot be reached', async () => {
    const gateway = await startTestGateway({
      env: { DATABASE_REPLICA_URL: 'postgres://nobody@127.0.0.1:1/nothing' },
    });
    const afe = agencyAgent(gateway.certsDir, 'afe');
    try {
      await refusedExchange(gateway, afe);
      const search = await asOfficer(gateway, '/v1/audit/events?org=afe');
      expect(search.status).toBe(200);
      const { events } = (await search.json()) as Events;
      expect(events.some((e) => e.kind === 'exchange.outcome' && e.organisation === 'afe')).toBe(true);
      expect(gateway.rawLogs.some((line) => line.includes('the read replica cannot be reached'))).toBe(true);
    } finally {
      await afe.close();
      await gateway.stop();
    }
  });
});
