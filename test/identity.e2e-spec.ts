import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { OrganisationRepository } from '../src/identity/organisation.repository';
import { agencyAgent, call } from './support/agency-client';
import { announceBindingChange } from './support/binding-notice';
import { startTestGateway, type TestGateway } from './support/test-gateway';

function fingerprintOf(certsDir: string, identity: string): string {
  const pem = readFileSync(join(certsDir, 'agencies', `${identity}.crt`));
  return new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();
}

describe('agency identity over mutual TLS', () => {
  let t: TestGateway;
  const agents: Agent[] = [];
  const as = (identity: string | null): Agent => {
    const agent = agencyAgent(t.certsDir, identity);
    agents.push(agent);
    return agent;
  };
  const refusalReasons = (): unknown[] =>
    t.logs.filter((line) => line.event === 'agency-refused').map((line) => line.reason);

  const tellTheNode = async (): Promise<void> => {
    expect(await announceBindingChange(t.gateway.app)).toMatchObject({ target: 'bindings', outcome: 'reloaded' });
  };

  beforeAll(async () => {
    t = await startTestGateway();
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await t.stop();
  });

  it.each([
    ['afe', 'education'],
    ['mess', 'solidarity'],
    ['retraite-qc', 'pensions'],
  ])('identifies %s by its certificate, in the %s sector', async (organisation, sector) => {
    const response = await call(as(organisation), `${t.agencyUrl}/v1/whoami`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      organisation,
      fingerprint: fingerprintOf(t.certsDir, organisation),
      subject: expect.stringContaining(`CN=${organisation}`),
      sector,
      identifiers: 'sector',
    });
  });

  it.each<[string | null, number, string, string]>([
    [null, 401, 'client-certificate-required', 'no-certificate'],
    ['rogue', 401, 'client-certificate-invalid', 'untrusted-issuer'],
    ['expired', 401, 'client-certificate-invalid', 'certificate-expired'],
    ['revoked', 401, 'client-certificate-invalid', 'certificate-revoked'],
    ['unregistered', 403, 'client-not-registered', 'not-registered'],
  ])('refuses %s with %i %s and logs the reason %s', async (identity, status, code, reason) => {
    const response = await call(as(identity), `${t.agencyUrl}/v1/whoami`);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, code, correlationId: response.headers['x-correlation-id'] });
    expect(refusalReasons()).toContain(reason);
    const logged = t.logs.find((line) => line.event === 'agency-refused' && line.reason === reason);
    expect(logged?.correlationId).toBe(response.headers['x-correlation-id']);
  });

  it('refuses a suspended organisation, and serves it again once reactivated', async () => {
    const organisations = t.gateway.app.get(OrganisationRepository);
    expect((await call(as('mess'), `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
    await organisations.setStatus('mess', 'suspended');
    // The node keeps the bindings it has read until it is told they changed, as the operator's commands tell it.
    expect((await call(as('mess'), `${t.agencyUrl}/v1/whoami`)).status).toBe(200);
    await tellTheNode();
    const refused = await call(as('mess'), `${t.agencyUrl}/v1/whoami`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'client-suspended' });
    expect(refusalReasons()).toContain('organisation-suspended');

    await organisations.setStatus('mess', 'active');
    await tellTheNode();
    const served = await call(as('mess'), `${t.agencyUrl}/v1/whoami`);
    expect(served.status).toBe(200);
  });

  it('ignores identity headers: the socket alone decides who is calling', async () => {
    const messPem = readFileSync(join(t.certsDir, 'agencies', 'mess.crt'), 'utf8');
    const spoofing = {
      'x-forwarded-client-cert': `Hash=${fingerprintOf(t.certsDir, 'mess')};Cert="${encodeURIComponent(messPem)}"`,
      'x-org-id': 'mess',
      'x-ssl-client-cert': encodeURIComponent(messPem),
      'x-client-dn': 'CN=mess',
      'x-forwarded-for': '10.0.0.1',
    };
    const asAfe = await call(as('afe'), `${t.agencyUrl}/v1/whoami`, { headers: spoofing });
    expect(asAfe.status).toBe(200);
    expect(asAfe.body).toMatchObject({ organisation: 'afe' });

    const anonymous = await call(as(null), `${t.agencyUrl}/v1/whoami`, { headers: spoofing });
    expect(anonymous.status).toBe(401);

    const unregistered = await call(as('unregistered'), `${t.agencyUrl}/v1/whoami`, { headers: spoofing });
    expect(unregistered.status).toBe(403);
  });

  it('identifies the caller before routing: unknown agency paths answer 401 to strangers, 404 to agencies', async () => {
    const stranger = await call(as(null), `${t.agencyUrl}/v1/nothing-here`);
    expect(stranger.status).toBe(401);
    const agency = await call(as('afe'), `${t.agencyUrl}/v1/nothing-here`);
    expect(agency.status).toBe(404);
    expect(agency.body).toMatchObject({ code: 'not-found' });
  });

  it('keeps agency routes off the public listener and public routes off the agency listener', async () => {
    const whoamiOnPublic = await fetch(`${t.publicUrl}/v1/whoami`, { headers: { 'x-org-id': 'afe' } });
    expect(whoamiOnPublic.status).toBe(404);
    expect(whoamiOnPublic.headers.get('content-type')).toContain('application/problem+json');

    const healthOnAgency = await call(as('afe'), `${t.agencyUrl}/health/live`);
    expect(healthOnAgency.status).toBe(404);
  });
});
