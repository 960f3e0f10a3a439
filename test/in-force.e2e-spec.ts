import { randomUUID } from 'node:crypto';
import type { ConsentRecord, ConsentStatus } from '../src/consent/consent';
import { ConsentClaimRepository } from '../src/consent/consent-claim.repository';
import { ConsentRepository } from '../src/consent/consent.repository';
import { ConsentService } from '../src/consent/consent.service';
import { isInForce } from '../src/consent/in-force';
import { LawfulBasisService } from '../src/consent/lawful-basis.service';
import { Catalogue } from '../src/contracts/catalogue';
import { Sql } from '../src/platform/database/sql';
import { SharedClaims } from '../src/consent/shared-claims';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const FROM = new Date('2026-03-01T00:00:00.000Z').getTime();
const UNTIL = new Date('2026-09-01T00:00:00.000Z').getTime();
const PRODUCT = 'revenu.avis-cotisation';

/** Every edge of the window, both sides of it, for each status a record can have. */
const INSTANTS = [FROM - 86_400_000, FROM - 1, FROM, FROM + 1, (FROM + UNTIL) / 2, UNTIL - 1, UNTIL, UNTIL + 1];
const STATUSES: ConsentStatus[] = ['active', 'revoked', 'expired', 'refused', 'pending'];
const CASES = STATUSES.flatMap((status) => INSTANTS.map((at) => ({ status, at: new Date(at) })));

/**
 * The SQL that finds and claims a consent in force mirrors `isInForce`: this
 * holds them together over a table of cases, on the real statements and the
 * real database, so that neither can drift from the other.
 */
describe('The rule "in force": one rule in TypeScript, mirrored by the SQL', () => {
  let gateway: TestGateway;
  let repository: ConsentRepository;
  let claims: ConsentClaimRepository;
  let consents: ConsentService;
  let bases: LawfulBasisService;
  let sql: Sql;
  let shared: SharedClaims;
  const records: ConsentRecord[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const app = gateway.gateway.app;
    repository = app.get(ConsentRepository, { strict: false });
    claims = app.get(ConsentClaimRepository, { strict: false });
    consents = app.get(ConsentService, { strict: false });
    bases = app.get(LawfulBasisService, { strict: false });
    sql = app.get(Sql, { strict: false });
    shared = app.get(SharedClaims, { strict: false });
    // One citizen per status, one consent each, written by the repository as the service would.
    for (const status of STATUSES) {
      const record: ConsentRecord = {
        id: randomUUID(),
        citizen: `in-force-${status}`,
        requester: 'afe',
        purpose: 'afe.calcul-aide',
        products: [{ product: PRODUCT }],
        validFrom: new Date(FROM),
        validUntil: new Date(UNTIL),
        mode: 'ongoing',
        keepUpToDate: false,
        status,
        createdAt: new Date(FROM),
        decidedAt: new Date(FROM),
        revokedAt: null,
        revokedBy: null,
        predecessorId: null,
        requestId: null,
      };
      await repository.transaction((tx) => repository.insert(tx, record, 'receipt'));
      records.push(record);
    }
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const recordOf = (status: ConsentStatus): ConsentRecord => records.find((r) => r.status === status)!;

  it.each(CASES)('a $status consent at $at: the lookup agrees with isInForce', async ({ status, at }) => {
    const record = recordOf(status);
    const found = await consents.findInForce(record.citizen, 'afe', 'afe.calcul-aide', PRODUCT, at);
    expect(found !== undefined).toBe(isInForce(record, at));
    if (found !== undefined) expect(found).toBe(record.id);
  });

  it.each(CASES)('a $status consent at $at: the claim agrees with isInForce', async ({ status, at }) => {
    const record = recordOf(status);
    const claimed = await sql.transaction((tx) =>
      claims.claim(tx, { consentId: record.id, product: PRODUCT, citizen: record.citizen, at }),
    );
    expect(claimed !== undefined).toBe(isInForce(record, at));
  });

  it.each(CASES)('a $status consent at $at: the shared claim agrees with isInForce', async ({ status, at }) => {
    const record = recordOf(status);
    const claim = await shared.claim({ consentId: record.id, product: PRODUCT, citizen: record.citizen, at });
    if (claim.outcome === 'held') claim.letGo();
    expect(claim.outcome).toBe(isInForce(record, at) ? 'held' : 'not-held');
  });

  it.each(CASES)('a $status consent at $at: the one door decides as isInForce says', async ({ status, at }) => {
    const record = recordOf(status);
    const purpose = gateway.gateway.app.get(Catalogue, { strict: false }).purposes.get('afe.calcul-aide')!;
    const decision = await bases.decide({ citizen: record.citizen, requester: 'afe', product: PRODUCT, purpose }, at);
    expect(decision.allow).toBe(isInForce(record, at));
  });
});
