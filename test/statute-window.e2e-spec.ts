import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Agent } from 'undici';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { citizenIdOf } from './support/citizen-ids';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/** One statute repealed a year ago, the other in force only in a month. */
describe('A statute outside its window in force releases nothing', () => {
  let schemas: string;
  let gateway: TestGateway;
  let db: Client;
  let mess: Agent;
  let retraite: Agent;

  const exchange = (agent: Agent, body: Record<string, unknown>): Promise<AgencyResponse> =>
    call(agent, `${gateway.agencyUrl}/v1/exchanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    schemas = mkdtempSync(join(tmpdir(), 'passerelle-statutes-'));
    cpSync(join(__dirname, '..', 'schemas'), schemas, { recursive: true });
    const path = join(schemas, 'purposes.json');
    const document = JSON.parse(readFileSync(path, 'utf8')) as { purposes: Record<string, unknown>[] };
    for (const purpose of document.purposes) {
      if (purpose.code === 'mess.controle-admissibilite') purpose.effectiveUntil = isoDaysFromNow(-365);
      if (purpose.code === 'retraite-qc.enquete') purpose.effectiveFrom = isoDaysFromNow(30);
    }
    writeFileSync(path, JSON.stringify(document));
    gateway = await startTestGateway({ env: { SCHEMAS_DIR: schemas } });
    db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    mess = agencyAgent(gateway.certsDir, 'mess');
    retraite = agencyAgent(gateway.certsDir, 'retraite-qc');
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([mess?.close(), retraite?.close()]);
    await gateway?.stop();
    rmSync(schemas, { recursive: true, force: true });
  });

  it.each([
    [
      'repealed',
      () =>
        exchange(mess, {
          product: 'revenu.avis-cotisation',
          version: 1,
          purpose: 'mess.controle-admissibilite',
          citizen: citizenIdOf('mess', 'demo-citizen-3'),
          caseRef: 'CTRL-1',
        }),
      'statute-no-longer-in-force',
    ],
    [
      'not yet in force',
      () =>
        exchange(retraite, {
          product: 'saaq.adresse',
          version: 1,
          purpose: 'retraite-qc.enquete',
          citizen: citizenIdOf('retraite-qc', 'demo-citizen-4'),
        }),
      'statute-not-yet-in-force',
    ],
  ])(
    'answers a statute %s with the same 403 as any refusal, the exact reason in the audit',
    async (_what, send, reason) => {
      const response = await send();
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'consent-required' });
      expect(response.text).not.toContain('statute');
      const { rows } = await db.query<{ decision: string; payload: { reason: string } }>(
        'SELECT decision, payload FROM audit_event WHERE correlation_id = $1 ORDER BY seq',
        [response.headers['x-correlation-id']],
      );
      expect(rows).toEqual([
        expect.objectContaining({ decision: 'deny', payload: expect.objectContaining({ reason }) }),
      ]);
    },
  );
});

function isoDaysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}
