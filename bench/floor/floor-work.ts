/**
 * One brokered request's work, done minimally: what an exchange cannot do
 * without, and nothing else. A consent lookup by covering index (one prepared
 * statement, index-only), a fetch from an in-memory stub (a copy of a 20-field
 * record), JSON Schema validation of those 20 fields (ajv), the pick of the
 * allowed fields, an ES256 compact JWS over the answer (jose), and a
 * hash-chained audit insert. Two round trips to PostgreSQL, no retries, no
 * caches, no tracing. Whatever the gateway does beyond this is its own
 * overhead; this is the floor it is measured against.
 *
 * Kept as plain as the reference floor it reproduces, on purpose: making it
 * faster or slower would move every ratio printed against it.
 */
import { createHash, randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CompactSign, generateKeyPair, type CryptoKey } from 'jose';
import { Pool } from 'pg';

const LOOKUP = {
  name: 'floor-consent',
  text: `SELECT status FROM consent WHERE citizen_id = $1 AND org_id = $2 AND purpose = $3 AND product = $4
    AND status = 'active' AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now()) LIMIT 1`,
};
const INSERT = {
  name: 'floor-audit',
  text: `INSERT INTO audit (org_id, citizen_ref, purpose, product, decision, prev_hash, hash, details)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
};

const s = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'string', ...extra });
const PROPERTIES: Record<string, Record<string, unknown>> = {
  id: s({ format: 'uuid' }),
  nationalId: s({ pattern: '^[0-9]{11}$' }),
  givenName: s(),
  familyName: s(),
  birthDate: s({ format: 'date' }),
  email: s({ format: 'email' }),
  phone: s(),
  street: s(),
  houseNo: s(),
  postcode: s({ pattern: '^[0-9]{5}$' }),
  city: s(),
  country: s({ enum: ['DE', 'EE'] }),
  maritalStatus: s(),
  children: { type: 'integer' },
  income: { type: 'number' },
  employed: { type: 'boolean' },
  employer: s(),
  validFrom: s({ format: 'date-time' }),
  updatedAt: s({ format: 'date-time' }),
  version: { type: 'integer' },
};

/** What the stub source holds for every citizen. */
const RECORD: Record<string, unknown> = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  nationalId: '12345678901',
  givenName: 'Anna',
  familyName: 'Muster',
  birthDate: '1985-04-12',
  email: 'anna@example.org',
  phone: '+49301234567',
  street: 'Hauptstr.',
  houseNo: '12a',
  postcode: '10115',
  city: 'Berlin',
  country: 'DE',
  maritalStatus: 'married',
  children: 2,
  income: 42000.5,
  employed: true,
  employer: 'ACME',
  validFrom: '2024-01-01T00:00:00Z',
  updatedAt: '2024-06-01T12:00:00Z',
  version: 3,
};

/** The fields the contract releases for the purpose. */
const KEEP = ['id', 'givenName', 'familyName', 'birthDate', 'street', 'houseNo', 'postcode', 'city'];

/** Citizen `i` of the floor's consent table: PostgreSQL's `md5(i::text)::uuid`. */
export function citizenOf(i: number): string {
  const h = createHash('md5').update(String(i)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface FloorAnswer {
  permit: boolean;
  /** The compact JWS, when permitted. */
  body?: string;
}

export class FloorWork {
  private readonly validate = (() => {
    const ajv = new Ajv();
    addFormats(ajv);
    return ajv.compile({
      type: 'object',
      properties: PROPERTIES,
      required: Object.keys(PROPERTIES),
      additionalProperties: false,
    });
  })();
  private readonly encoder = new TextEncoder();
  /** The chain's head as this process knows it: the hash is computed before the insert, as the reference does. */
  private previous = Buffer.alloc(32);

  private constructor(
    private readonly pool: Pool,
    private readonly signingKey: CryptoKey,
    private readonly consents: number,
  ) {}

  /** Ten connections, as the reference floor's pool; the server's own commit settings, as the gateway has them. */
  static async open(url: string, consents: number): Promise<FloorWork> {
    const { privateKey } = await generateKeyPair('ES256');
    return new FloorWork(new Pool({ connectionString: url, max: 10 }), privateKey, consents);
  }

  /** A random citizen with a consent in force, asked for by the organisation, purpose and product it covers. */
  async handle(): Promise<FloorAnswer> {
    const i = 1 + Math.floor(Math.random() * this.consents);
    const key = [citizenOf(i), `org-${i % 50}`, `purpose-${i % 20}`, `product-${i % 30}`];
    const found = await this.pool.query({ ...LOOKUP, values: key });
    const permit = found.rows.length > 0;
    let body: string | undefined;
    if (permit) {
      const source = JSON.parse(JSON.stringify(RECORD)) as Record<string, unknown>; // the fetch: a fresh copy
      if (!this.validate(source)) throw new Error('contract violation');
      const data: Record<string, unknown> = {};
      for (const field of KEEP) data[field] = source[field];
      const claims = { sub: key[0], aud: key[1], purpose: key[2], product: key[3], data, iat: Date.now() };
      body = await new CompactSign(this.encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'ES256', kid: 'floor' })
        .sign(this.signingKey);
    }
    const details = JSON.stringify({ reqId: randomUUID(), fields: permit ? KEEP : [] });
    const hash = createHash('sha256').update(this.previous).update(key.join('|')).update(details).digest();
    const previous = this.previous;
    this.previous = hash;
    await this.pool.query({
      ...INSERT,
      values: [key[1], key[0], key[2], key[3], permit ? 'permit' : 'deny', previous, hash, details],
    });
    return { permit, body };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
