import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { AuditEntry } from '../src/audit/audit-chain';
import { AuditLog } from '../src/audit/audit-log';
import type { ConsentMode, ConsentRecord } from '../src/consent/consent';
import { ConsentRepository } from '../src/consent/consent.repository';
import { ConsentService } from '../src/consent/consent.service';
import { SharedClaims, type SharedClaim } from '../src/consent/shared-claims';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const PRODUCT = 'revenu.avis-cotisation';

/** Whether `promise` is still pending after the database has had time to answer it. */
async function stillPending(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  const pending = Symbol('pending');
  const first = await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(pending), ms))]);
  return first === pending;
}

/**
 * Releases that claim in the same turn share one transaction, on the real
 * database. What must not change: a revocation waits for every release that
 * claimed before it, every claim made after it has answered finds nothing,
 * and a one-time consent is never held by the shared transaction.
 */
describe('Shared consent claims', () => {
  let gateway: TestGateway;
  let repository: ConsentRepository;
  let consents: ConsentService;
  let shared: SharedClaims;
  let audit: AuditLog;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const app = gateway.gateway.app;
    repository = app.get(ConsentRepository, { strict: false });
    consents = app.get(ConsentService, { strict: false });
    shared = app.get(SharedClaims, { strict: false });
    audit = app.get(AuditLog, { strict: false });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function consent(mode: ConsentMode = 'ongoing'): Promise<ConsentRecord> {
    const now = Date.now();
    const record: ConsentRecord = {
      id: randomUUID(),
      citizen: `shared-claims-${randomUUID()}`,
      requester: 'afe',
      purpose: 'afe.calcul-aide',
      products: [{ product: PRODUCT, fields: ['annee'] }],
      validFrom: new Date(now - 60_000),
      validUntil: new Date(now + 86_400_000),
      mode,
      keepUpToDate: false,
      status: 'active',
      createdAt: new Date(now - 60_000),
      decidedAt: new Date(now - 60_000),
      revokedAt: null,
      revokedBy: null,
      predecessorId: null,
      requestId: null,
    };
    await repository.transaction((tx) => repository.insert(tx, record, 'receipt'));
    return record;
  }

  const claimOf = (record: ConsentRecord, product = PRODUCT): Promise<SharedClaim> =>
    shared.claim({ consentId: record.id, product, citizen: record.citizen, at: new Date() });

  it('holds the claims made together, with the narrowing, until the last is let go; a revocation waits for them', async () => {
    const [a, b, lead] = [await consent(), await consent(), await consent()];
    // The first claim after a quiet spell goes alone; those made while it is under way go together after it.
    const [leading, ...claims] = await Promise.all([
      claimOf(lead),
      claimOf(a),
      claimOf(b),
      claimOf(a, 'autre.produit'),
    ]);
    if (leading.outcome === 'held') leading.letGo();
    expect(claims.map((claim) => claim.outcome)).toEqual(['held', 'held', 'not-held']);
    const [first, second] = claims as Extract<SharedClaim, { outcome: 'held' }>[];
    expect(first.products).toEqual([{ product: PRODUCT, fields: ['annee'] }]);

    const revoked = consents.revoke(a.citizen, a.id);
    expect(await stillPending(revoked)).toBe(true);
    // a is let go, but b's claim shares the transaction: a's revocation still waits for it.
    first.letGo();
    expect(await stillPending(revoked)).toBe(true);
    second.letGo();
    // Letting go counts nothing: a use is counted with its outcome record.
    await expect(revoked).resolves.toMatchObject({ status: 'revoked', useCount: 0 });

    expect((await claimOf(a)).outcome).toBe('not-held');
    const again = await claimOf(b);
    expect(again.outcome).toBe('held');
    if (again.outcome === 'held') again.letGo();
  });

  it('makes a claim that arrives while a revocation is under way wait for it, then find nothing', async () => {
    const a = await consent();
    const before = await claimOf(a);
    expect(before.outcome).toBe('held');
    const revoked = consents.revoke(a.citizen, a.id);
    expect(await stillPending(revoked)).toBe(true);
    // Queued behind the revocation's exclusive gate, not beside the shared claim that holds it up.
    const during = claimOf(a);
    expect(await stillPending(during)).toBe(true);
    if (before.outcome === 'held') before.letGo();
    await revoked;
    expect((await during).outcome).toBe('not-held');
  });

  it('holds the consent’s gate, and no row: the grant can be locked meanwhile, the gate cannot be taken', async () => {
    const a = await consent();
    const held = await claimOf(a);
    expect(held.outcome).toBe('held');
    const db = new Client({ connectionString: gateway.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      // Granted at once: the claim locked no row of the grant (nor wrote anything to do so).
      const locked = await db.query('SELECT 1 FROM consent_grant WHERE consent_id = $1 FOR UPDATE NOWAIT', [a.id]);
      expect(locked.rowCount).toBe(1);
      await db.query('ROLLBACK');
      // A revocation's first step, the gate taken exclusively, is what waits.
      const revoked = consents.revoke(a.citizen, a.id);
      expect(await stillPending(revoked)).toBe(true);
      if (held.outcome === 'held') held.letGo();
      await expect(revoked).resolves.toMatchObject({ status: 'revoked' });
    } finally {
      await db.end();
    }
  });

  it('counts an ongoing consent’s uses with its allowed outcome records, in the batch that commits them', async () => {
    const [ongoing, once] = [await consent(), await consent('one-time')];
    const outcome = (record: ConsentRecord, decision: string, consentId: string = record.id): AuditEntry => ({
      kind: 'exchange.outcome',
      organisation: 'afe',
      citizen: record.citizen,
      product: PRODUCT,
      purpose: 'afe.calcul-aide',
      decision,
      details: { exchangeId: randomUUID(), consentId },
    });
    // Three served, one refused, and one served on a one-time consent: that one is counted as it is used up.
    const entries = [
      outcome(ongoing, 'allow'),
      outcome(ongoing, 'allow'),
      outcome(ongoing, 'allow'),
      outcome(ongoing, 'deny'),
      outcome(once, 'allow'),
    ];
    await Promise.all(entries.map((entry) => audit.append(entry)));
    const counted = await consents.get(ongoing.citizen, ongoing.id);
    expect(counted.useCount).toBe(3);
    expect(counted.lastUsedAt).not.toBeNull();
    expect((await consents.get(once.citizen, once.id)).useCount).toBe(0);

    // A consent id that names no consent, or is no UUID at all, counts nothing and fails no record.
    await expect(audit.append(outcome(ongoing, 'allow', 'not-a-uuid'))).resolves.toBeGreaterThan(0);
    await expect(audit.append(outcome(ongoing, 'allow', randomUUID()))).resolves.toBeGreaterThan(0);
    expect((await consents.get(ongoing.citizen, ongoing.id)).useCount).toBe(3);
  });

  it('holds nothing for a one-time consent: it is answered as such, and a revocation does not wait', async () => {
    const once = await consent('one-time');
    expect((await claimOf(once)).outcome).toBe('one-time');
    await expect(consents.revoke(once.citizen, once.id)).resolves.toMatchObject({ status: 'revoked' });
  });
});
