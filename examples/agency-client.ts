/**
 * A minimal Passerelle agency client: it asks for one data product over
 * mutual TLS, verifies the gateway's signature over the exact bytes received,
 * and prints the answer only once it verifies. docs/agency-guide.md walks
 * through it.
 *
 *   npx ts-node examples/agency-client.ts [--citizen ID] [--purpose CODE] ...
 *
 * Every option also reads an environment variable; the defaults match
 * `npm start` on this machine: `mess` checks demo citizen 3's notice of
 * assessment under a statute (no consent needed, a case reference required).
 *
 * Exit codes: 0 verified answer printed on stdout; 1 the gateway refused or
 * could not be reached; 2 usage error; 3 an answer came whose signature does
 * not verify (it is discarded, nothing is printed on stdout).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, flattenedVerify } from 'jose';

const OPTIONS = {
  'agency-url': { env: 'PASSERELLE_AGENCY_URL', default: 'https://localhost:8443' },
  'public-url': { env: 'PASSERELLE_PUBLIC_URL', default: 'http://localhost:8080' },
  cert: { env: 'AGENCY_CERT', default: 'certs-dev/agencies/mess.crt' },
  key: { env: 'AGENCY_KEY', default: 'certs-dev/agencies/mess.key' },
  ca: { env: 'AGENCY_CA', default: 'certs-dev/agency-ca.crt' },
  product: { env: 'PRODUCT', default: 'revenu.avis-cotisation' },
  version: { env: 'PRODUCT_VERSION', default: '1' },
  purpose: { env: 'PURPOSE', default: 'mess.controle-admissibilite' },
  // mess's (sector `solidarity`) identifier for demo-citizen-3, under the published demo key.
  citizen: { env: 'CITIZEN', default: '1C1VfhH9aqrE5WkhjyXUMIlrF4SEuKTCNu4r_ulu' },
  'case-ref': { env: 'CASE_REF', default: 'CTRL-2026-0042' },
} as const;

type Option = keyof typeof OPTIONS;
type Settings = Record<Option, string>;

/** A refusal by the gateway, or no gateway: exit 1. */
class Refused extends Error {}
/** An answer that is not provably the gateway's: exit 3. */
class NotVerified extends Error {}
class Usage extends Error {}

/** At most this many attempts when the gateway asks to come back later (429, 503 with Retry-After). */
const ATTEMPTS = 3;
const MAX_WAIT_SECONDS = 10;

function settings(argv: string[]): Settings {
  const names = Object.keys(OPTIONS) as Option[];
  let values: Partial<Record<Option, string>>;
  try {
    values = parseArgs({
      args: argv,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
      strict: true,
    }).values;
  } catch (error) {
    throw new Usage((error as Error).message);
  }
  const out = {} as Settings;
  for (const name of names) {
    // An empty value (`--case-ref ""`, CASE_REF=) means "leave it out", for purposes that take no case reference.
    out[name] = values[name] ?? process.env[OPTIONS[name].env] ?? OPTIONS[name].default;
  }
  if (!/^[1-9][0-9]*$/.test(out.version)) throw new Usage('--version must be a positive integer');
  return out;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  body: Buffer;
}

function send(agent: Agent, url: URL, method: string, json?: unknown): Promise<Answer> {
  const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  return new Promise((resolve, reject) => {
    const call = request(url, {
      agent,
      method,
      headers: {
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length }),
      },
    });
    call.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    call.on('error', (error) => reject(new Refused(`cannot reach ${url.origin}: ${error.message}`)));
    call.end(payload);
  });
}

/** A member of a problem document as text, when it is text. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The problem document's code, title and correlation id, for a refusal; nothing else from the body is trusted. */
function refusal(answer: Answer, what: string): Refused {
  let problem: Record<string, unknown> = {};
  try {
    problem = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Not problem+json (a proxy's page?): the status says enough.
  }
  const correlationId = text(problem.correlationId) || text(answer.headers['x-correlation-id']) || '?';
  const detail = text(problem.detail);
  const words = [`${what}: HTTP ${answer.status}`, text(problem.code), text(problem.title)];
  if (detail !== '') words.push(`(${detail})`);
  words.push(`correlation id ${correlationId}`);
  return new Refused(words.filter((word) => word !== '').join(' '));
}

/** Sends, and waits as told when the gateway answers 429 or 503 with Retry-After. */
async function sendPatiently(agent: Agent, url: URL, method: string, json?: unknown): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send(agent, url, method, json);
    const retryAfter = Number(answer.headers['retry-after']);
    const mayRetry = (answer.status === 429 || answer.status === 503) && retryAfter > 0;
    if (!mayRetry || attempt >= ATTEMPTS || retryAfter > MAX_WAIT_SECONDS) return answer;
    process.stderr.write(`HTTP ${answer.status}: trying again in ${retryAfter} s\n`);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}

/**
 * The rule: `x-jws-signature` is a JWS in compact form with a detached
 * payload (RFC 7515 appendix F), `header..signature`. The payload is the
 * body's bytes, base64url-encoded as in any JWS (no `b64: false`): put them
 * back between the two dots and verify with the key `kid` names in the JWKS.
 */
async function verifyBody(
  body: Buffer,
  signature: string | string[] | undefined,
  keys: ReturnType<typeof createRemoteJWKSet>,
): Promise<string> {
  if (typeof signature !== 'string') throw new NotVerified('the answer carries no x-jws-signature');
  const parts = signature.split('.');
  if (parts.length !== 3 || parts[1] !== '') throw new NotVerified('x-jws-signature is not a detached JWS');
  const [protectedHeader, , value] = parts;
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(signature).kid;
  } catch {
    throw new NotVerified('x-jws-signature has an unreadable header');
  }
  if (typeof kid !== 'string') throw new NotVerified('x-jws-signature names no key (kid)');
  try {
    // A kid not in the cached set makes jose fetch the JWKS again: a rotated key is picked up.
    await flattenedVerify({ protected: protectedHeader, payload: body.toString('base64url'), signature: value }, keys, {
      algorithms: ['ES256'],
    });
  } catch (error) {
    throw new NotVerified(`the signature does not verify (${(error as { code?: string }).code ?? 'error'})`);
  }
  return kid;
}

async function main(argv: string[]): Promise<void> {
  const options = settings(argv);
  const agent = new Agent({
    cert: readFileSync(options.cert),
    key: readFileSync(options.key),
    ca: readFileSync(options.ca),
    keepAlive: true,
  });
  try {
    // 1. Who the certificate speaks for: the gateway decides, from the TLS socket alone.
    const whoami = await sendPatiently(agent, new URL('/v1/whoami', options['agency-url']), 'GET');
    if (whoami.status !== 200) throw refusal(whoami, 'GET /v1/whoami');
    const me = JSON.parse(whoami.body.toString('utf8')) as { organisation: string; sector: string };
    process.stderr.write(`Calling ${options['agency-url']} as ${me.organisation} (sector ${me.sector})\n`);

    // 2. The exchange. The citizen is named by this organisation's sector identifier, in the body only.
    const asked = {
      product: options.product,
      version: Number(options.version),
      purpose: options.purpose,
      citizen: options.citizen,
      ...(options['case-ref'] === '' ? {} : { caseRef: options['case-ref'] }),
    };
    const answer = await sendPatiently(agent, new URL('/v1/exchanges', options['agency-url']), 'POST', asked);
    if (answer.status !== 200) throw refusal(answer, 'POST /v1/exchanges');

    // 3. Verify before reading: nothing from the body is used unless the gateway's key signed these bytes.
    const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', options['public-url']));
    const kid = await verifyBody(answer.body, answer.headers['x-jws-signature'], keys);
    const exchange = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    // The signature covers what was asked for, too: an answer about another product or purpose is not this one's.
    if (exchange.product !== asked.product || exchange.purpose !== asked.purpose) {
      throw new NotVerified('the signed answer is not about what was asked');
    }
    process.stderr.write(`Signature verified: ES256, key ${kid}, over the ${answer.body.length} bytes received\n`);
    process.stdout.write(`${JSON.stringify(exchange, null, 2)}\n`);
  } finally {
    agent.destroy();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const code = error instanceof Usage ? 2 : error instanceof NotVerified ? 3 : 1;
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    if (code === 2)
      process.stderr.write(
        `options: ${Object.keys(OPTIONS)
          .map((name) => `--${name}`)
          .join(' ')}\n`,
      );
    process.exit(code);
  },
);
