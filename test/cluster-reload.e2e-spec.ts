/**
 * Contracts and the CRL reloaded without a restart, on every node: SIGHUP on
 * one node, and the operator's `contracts reload` / `crl reload`, which reach
 * every node over the cluster bus. The CRL comes from one URL, served here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { revokeCertificate } from '../src/identity/dev-pki/dev-pki';
import { testEnv } from './setup/test-env';
import { agencyAgent, call, type AgencyResponse } from './support/agency-client';
import { grantConsent } from './support/citizen-api';
import { citizenIdOf } from './support/citizen-ids';
import { metricOf, runCli, startNodes, stopNodes, type GatewayNode } from './support/gateway-nodes';
import { startHttpStub, type HttpStub } from './support/http-stub';
import { createTestDatabase, eventually } from './support/test-gateway';

const SAAQ_CONTRACT = 'products/saaq.adresse/v1/contract.json';

type Json = Record<string, unknown>;

function editContract(schemasDir: string, change: (contract: Json) => void): void {
  const path = join(schemasDir, SAAQ_CONTRACT);
  const contract = JSON.parse(readFileSync(path, 'utf8')) as Json;
  change(contract);
  writeFileSync(path, JSON.stringify(contract, null, 2));
}

const setTitle = (title: string) => (contract: Json) => ((contract.title as { fr: string }).fr = title);

/** The French title of saaq.adresse as mess sees it in the catalogue of `node`. */
async function saaqTitle(node: GatewayNode, mess: Agent): Promise<string | undefined> {
  const { body } = await call(mess, `${node.agencyUrl}/v1/catalogue`);
  const products = (body as { products: { product: string; title: { fr: string } }[] }).products;
  return products.find((entry) => entry.product === 'saaq.adresse')?.title.fr;
}

/** afe on a new connection: a new handshake against the TLS context in force, then the per-request check. */
async function whoamiAsAfe(node: GatewayNode, certsDir: string): Promise<AgencyResponse> {
  const agent = agencyAgent(certsDir, 'afe');
  try {
    return await call(agent, `${node.agencyUrl}/v1/whoami`);
  } finally {
    await agent.close();
  }
}

describe('reloads on every node', () => {
  let databaseUrl: string;
  let schemasDir: string;
  let certsDir: string;
  let crlServer: HttpStub;
  let crlDown = false;
  let nodes: GatewayNode[];
  let mess: Agent;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    schemasDir = mkdtempSync(join(testEnv('root'), 'schemas-'));
    cpSync(join(__dirname, '..', 'schemas'), schemasDir, { recursive: true });
    certsDir = join(testEnv('root'), `certs-${randomBytes(4).toString('hex')}`);
    cpSync(testEnv('certsDir'), certsDir, { recursive: true });
    // The CA's distribution point: the CRL file of this PKI, with validators, answering conditional GETs.
    crlServer = await startHttpStub((request, response) => {
      if (crlDown) {
        response.writeHead(503).end();
        return;
      }
      // DER, as distribution points serve it (RFC 5280 4.2.1.13); the file is PEM.
      const pem = readFileSync(join(certsDir, 'agency-ca.crl'), 'utf8');
      const crl = Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----|\s/g, ''), 'base64');
      const etag = `"${createHash('sha256').update(crl).digest('hex').slice(0, 16)}"`;
      const lastModified = statSync(join(certsDir, 'agency-ca.crl')).mtime.toUTCString();
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/pkix-crl', etag, 'last-modified': lastModified });
      response.end(crl);
    });
    nodes = await startNodes(2, databaseUrl, {
      SCHEMAS_DIR: schemasDir,
      CERTS_DIR: certsDir,
      CRL_URL: `${crlServer.url}/agency-ca.crl`,
      // Only the reloads under test change the CRL: no poll comes within the test.
      CRL_FETCH_INTERVAL_MS: '3600000',
    });
    mess = agencyAgent(certsDir, 'mess');
    for (const node of nodes) {
      await eventually(async () => (await metricOf(node, 'passerelle_cluster_live_nodes')) === 2, 'two live nodes');
    }
  });

  afterAll(async () => {
    await mess.close();
    await stopNodes(nodes);
    await crlServer.close();
  });

  it('SIGHUP reloads the contracts of that node, and a bad set keeps the one in force, saying why', async () => {
    const [a, b] = nodes;
    const original = await saaqTitle(a, mess);
    editContract(schemasDir, setTitle('Adresse postale (rechargée)'));
    a.gateway.child.kill('SIGHUP');
    await eventually(async () => (await saaqTitle(a, mess)) === 'Adresse postale (rechargée)', 'the new title on A');
    await eventually(
      async () => (await metricOf(a, 'passerelle_contracts_reloads_total', { outcome: 'reloaded' })) === 1,
      'the reload counted',
    );
    // A signal reaches its own node only.
    expect(await saaqTitle(b, mess)).toBe(original);

    editContract(schemasDir, (contract) => {
      contract.owner = 42;
      setTitle('Jamais en vigueur')(contract);
    });
    a.gateway.child.kill('SIGHUP');
    await eventually(
      async () => (await metricOf(a, 'passerelle_contracts_reloads_total', { outcome: 'failed' })) === 1,
      'the failed reload counted',
    );
    expect(await saaqTitle(a, mess)).toBe('Adresse postale (rechargée)');
    const refusal = a.logs.find((line) => line.msg === 'contracts reload failed: the contracts in force stay');
    expect(refusal).toMatchObject({
      problems: [{ file: SAAQ_CONTRACT, pointer: '/owner', message: 'must be string' }],
    });
  });

  it('`contracts reload` reloads every node at once, or none of them when the set is bad', async () => {
    const listed = await runCli(['cluster', 'nodes'], databaseUrl);
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^[0-9a-f-]{36} {2}\S+ {2}since \S+ {2}seen [\d.]+ s ago$/),
      expect.stringMatching(/^[0-9a-f-]{36} /),
    ]);
    editContract(schemasDir, (contract) => {
      contract.owner = 'saaq';
      setTitle('Adresse postale (partout)')(contract);
    });
    const run = await runCli(['contracts', 'reload'], databaseUrl);
    process.stdout.write(`contracts reload, two nodes: ${run.ms} ms for the command\n${run.stdout}`);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^contracts reload: 2 of 2 node\(s\) reloaded \(or had it already\)$/m);
    expect(run.stdout.match(/: reloaded in [\d.]+ ms: 4 contracts and 5 purposes in force/g)).toHaveLength(2);
    for (const node of nodes) expect(await saaqTitle(node, mess)).toBe('Adresse postale (partout)');

    editContract(schemasDir, (contract) => (contract.classification = 'secret'));
    const bad = await runCli(['contracts', 'reload'], databaseUrl);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^contracts reload: 0 of 2 node\(s\)/m);
    expect(
      bad.stdout.match(
        /: failed in [\d.]+ ms: invalid contracts; products\/saaq\.adresse\/v1\/contract\.json#\/classification: must be equal to one of the allowed values/g,
      ),
    ).toHaveLength(2);
    for (const node of nodes) expect(await saaqTitle(node, mess)).toBe('Adresse postale (partout)');
    editContract(schemasDir, (contract) => (contract.classification = 'protected-b'));
  });

  it('builds a new adapter for a source whose settings changed, and refuses a source without an address', async () => {
    const [a] = nodes;
    const consent = await grantConsent(`http://127.0.0.1:${a.gateway.publicPort}`, 'demo-citizen-1', {
      requester: 'mess',
      purpose: 'mess.aide-sociale',
      products: ['saaq.adresse'],
    });
    expect(consent.status).toBe(201);
    const exchange = (node: GatewayNode): Promise<AgencyResponse> =>
      call(mess, `${node.agencyUrl}/v1/exchanges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          product: 'saaq.adresse',
          version: 1,
          purpose: 'mess.aide-sociale',
          citizen: citizenIdOf('mess', 'demo-citizen-1'),
        }),
      });
    for (const node of nodes) expect((await exchange(node)).status).toBe(200);

    // The source's path changes: the adapters built for the old one must go.
    editContract(schemasDir, (contract) => {
      (contract.source as { settings: { path: string } }).settings.path = '/v1/permis/{localId}/ancienne-adresse';
    });
    expect((await runCli(['contracts', 'reload'], databaseUrl)).status).toBe(0);
    for (const node of nodes) {
      const moved = await exchange(node);
      expect(moved.body).toMatchObject({ code: 'source-record-not-found' });
    }

    editContract(schemasDir, (contract) => ((contract.source as { endpoint: string }).endpoint = 'saaq-nouveau'));
    const refused = await runCli(['contracts', 'reload'], databaseUrl);
    expect(refused.status).toBe(1);
    expect(refused.stdout.match(/SOURCE_ENDPOINTS: no address for source endpoint\(s\) saaq-nouveau/g)).toHaveLength(2);

    editContract(schemasDir, (contract) => {
      (contract.source as { endpoint: string }).endpoint = 'saaq-rest';
      (contract.source as { settings: { path: string } }).settings.path = '/v1/permis/{localId}/adresse';
    });
    expect((await runCli(['contracts', 'reload'], databaseUrl)).status).toBe(0);
    for (const node of nodes) expect((await exchange(node)).status).toBe(200);
  });

  it('`crl reload` makes every node refuse a newly revoked certificate, from the one CRL URL', async () => {
    for (const node of nodes) expect((await whoamiAsAfe(node, certsDir)).status).toBe(200);
    const afePem = readFileSync(join(certsDir, 'agencies', 'afe.crt'), 'utf8');
    await revokeCertificate(certsDir, afePem, new Date(Date.now() + 2_000));
    // Until the reload, the nodes keep the CRL they have: the next poll is an hour away.
    for (const node of nodes) expect((await whoamiAsAfe(node, certsDir)).status).toBe(200);

    const run = await runCli(['crl', 'reload'], databaseUrl);
    process.stdout.write(`crl reload, two nodes: ${run.ms} ms for the command\n${run.stdout}`);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.match(/: reloaded in [\d.]+ ms: CRL \d+ in force, \d+ revoked/g)).toHaveLength(2);
    for (const node of nodes) {
      const refused = await whoamiAsAfe(node, certsDir);
      expect({ status: refused.status, body: refused.body }).toMatchObject({
        status: 401,
        body: { code: 'client-certificate-invalid' },
      });
    }

    // Asked again: a conditional GET, answered 304, changes nothing.
    const again = await runCli(['crl', 'reload'], databaseUrl);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/: unchanged in /g)).toHaveLength(2);
    expect(
      crlServer.requests.filter((request) => request.headers['if-none-match'] !== undefined).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('keeps the CRL in force when its URL cannot be fetched, and says so', async () => {
    crlDown = true;
    try {
      const run = await runCli(['crl', 'reload'], databaseUrl);
      expect(run.status).toBe(1);
      expect(run.stdout.match(/: failed in [\d.]+ ms: the CRL server answered 503; CRL \d+ in force/g)).toHaveLength(2);
      for (const node of nodes) {
        expect(await metricOf(node, 'passerelle_crl_source_up')).toBe(0);
        expect(await metricOf(node, 'passerelle_crl_reloads_total', { outcome: 'failed' })).toBe(1);
        expect(node.logs.some((line) => line.msg === 'CRL reload failed; the previous CRL stays in force')).toBe(true);
        expect((await whoamiAsAfe(node, certsDir)).status).toBe(401);
      }
    } finally {
      crlDown = false;
    }
  });

  it('does not start a node whose CRL URL cannot be fetched: it could not refuse what is revoked', async () => {
    const closed = await startHttpStub((_, response) => response.writeHead(404).end());
    await closed.close();
    const failure = await startNodes(1, databaseUrl, {
      CERTS_DIR: certsDir,
      CRL_URL: `${closed.url}/agency-ca.crl?key=secret`,
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /the CRL at http:\/\/127\.0\.0\.1:\d+\/agency-ca\.crl cannot be used: the CRL could not be fetched/,
    );
    expect(failure).not.toContain('secret');
  });
});
