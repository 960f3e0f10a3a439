import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const ROOT = join(__dirname, '..');
const TS_NODE = require.resolve('ts-node/dist/bin.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * examples/agency-client.ts as the agency guide runs it (`npx ts-node
 * examples/agency-client.ts`), in a process of its own, with nothing from this
 * environment but PATH: what it does depends on its arguments only.
 */
function runExample(args: string[], options: { transpileOnly?: boolean } = {}): Promise<Run> {
  const flags = options.transpileOnly === true ? ['--transpile-only'] : [];
  const child = spawn(process.execPath, [TS_NODE, ...flags, 'examples/agency-client.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function read(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

/**
 * A man in the middle that holds the gateway's server certificate and mess's
 * client certificate, and changes one digit of each exchange's data on the
 * way back, keeping the signature header: only a client that verifies the
 * bytes it received can tell.
 */
async function startTamperingProxy(
  target: string,
  certsDir: string,
): Promise<{ url: string; tampered: () => number; close: () => Promise<void> }> {
  const upstream = new Agent({
    ca: readFileSync(join(certsDir, 'agency-ca.crt')),
    cert: readFileSync(join(certsDir, 'agencies', 'mess.crt')),
    key: readFileSync(join(certsDir, 'agencies', 'mess.key')),
    servername: 'localhost',
  });
  let tampered = 0;
  const server: Server = createServer(
    { cert: readFileSync(join(certsDir, 'server.crt')), key: readFileSync(join(certsDir, 'server.key')) },
    (incoming, outgoing) => {
      void (async () => {
        const body = await read(incoming);
        const { host: _host, connection: _connection, ...headers } = incoming.headers;
        const answer = await new Promise<IncomingMessage>((resolve, reject) => {
          const forward = request(new URL(incoming.url ?? '/', target), {
            method: incoming.method,
            headers,
            agent: upstream,
          });
          forward.on('response', resolve);
          forward.on('error', reject);
          forward.end(body);
        });
        const returned = await read(answer);
        const data = returned.indexOf('"data":');
        if (incoming.url === '/v1/exchanges' && answer.statusCode === 200 && data >= 0) {
          const digit = returned.findIndex((byte, index) => index > data && byte >= 0x30 && byte <= 0x39);
          if (digit >= 0) {
            returned[digit] = 0x30 + ((returned[digit] - 0x30 + 1) % 10);
            tampered++;
          }
        }
        const {
          connection: _c,
          'keep-alive': _k,
          'transfer-encoding': _t,
          'content-length': _l,
          ...kept
        } = answer.headers;
        outgoing.writeHead(answer.statusCode ?? 502, { ...kept, 'content-length': returned.length });
        outgoing.end(returned);
      })().catch(() => outgoing.destroy());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    tampered: () => tampered,
    close: async () => {
      upstream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the agency client example (examples/agency-client.ts)', () => {
  let gw: TestGateway;
  let connection: string[];

  beforeAll(async () => {
    gw = await startTestGateway();
    const pki = (file: string): string => join(gw.certsDir, file);
    connection = [
      ...['--agency-url', gw.agencyUrl, '--public-url', gw.publicUrl],
      ...['--cert', pki('agencies/mess.crt'), '--key', pki('agencies/mess.key'), '--ca', pki('agency-ca.crt')],
    ];
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('makes a statute exchange with its defaults, verifies it and prints the verified answer', async () => {
    const run = await runExample(connection);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stderr).toContain('as mess (sector solidarity)');
    expect(run.stderr).toMatch(/Signature verified: ES256, key \S+, over the \d+ bytes received/);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      product: 'revenu.avis-cotisation',
      version: 1,
      purpose: 'mess.controle-admissibilite',
      basis: 'statute',
      consentId: null,
      data: expect.any(Object),
    });
    expect(Object.keys(printed.data as object).length).toBeGreaterThan(0);
  });

  it('reports a refusal with its code and correlation id, then succeeds once the citizen consents', async () => {
    const consentPurpose = ['--purpose', 'mess.aide-sociale', '--case-ref', ''];
    const citizen = ['--citizen', citizenIdOf('mess', 'demo-citizen-1')];
    const refused = await runExample([...connection, ...consentPurpose, ...citizen], { transpileOnly: true });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/POST \/v1\/exchanges: HTTP 403 consent-required .*correlation id [0-9a-f]{32}/);

    const granted = await grantConsent(gw.publicUrl, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['revenu.avis-cotisation'],
    });
    expect(granted.status).toBe(201);
    const consentId = ((await granted.json()) as { id: string }).id;
    const served = await runExample([...connection, ...consentPurpose, ...citizen], { transpileOnly: true });
    expect(served.code).toBe(0);
    expect(JSON.parse(served.stdout)).toMatchObject({ basis: 'consent', consentId, purpose: 'mess.aide-sociale' });
  });

  it('refuses an answer whose bytes were changed on the way, and prints none of it', async () => {
    const proxy = await startTamperingProxy(gw.agencyUrl, gw.certsDir);
    try {
      const withProxy = connection.map((value) => (value === gw.agencyUrl ? proxy.url : value));
      const run = await runExample(withProxy, { transpileOnly: true });
      expect(proxy.tampered()).toBe(1);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('the signature does not verify');
    } finally {
      await proxy.close();
    }
  });

  it('refuses an answer when the published key under that kid is another key', async () => {
    const published = (await (await fetch(`${gw.publicUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const impostor = { ...(await exportJWK(publicKey)), kid: published.keys[0].kid, alg: 'ES256', use: 'sig' };
    const jwks: HttpStub = await startHttpStub((asked, response) => {
      response.writeHead(asked.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [impostor] }));
    });
    try {
      const withStub = connection.map((value) => (value === gw.publicUrl ? jwks.url : value));
      const run = await runExample(withStub, { transpileOnly: true });
      expect(jwks.requests.map((asked) => asked.url)).toContain('/.well-known/jwks.json');
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('the signature does not verify');
    } finally {
      await jwks.close();
    }
  });

  it('exits 2 on an option it does not know', async () => {
    const run = await runExample(['--agency', 'https://localhost:1'], { transpileOnly: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--agency-url');
  });
});
