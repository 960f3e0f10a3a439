import { resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parseListenAddress } from '../net/listen';
import { ENV_SCHEMA } from './env-schema';
import { checkpointDirOf, parseEndpoints, parseNetworks } from './env-values';
import type { TelemetryOptions } from '../telemetry/telemetry';

export type NodeEnv = 'development' | 'test' | 'production';

export interface TlsConfig {
  certsDir: string;
  serverCert: string;
  serverKey: string;
  clientCa: string;
  crl: string;
  crlPollIntervalMs: number;
  /** Where the CRL is fetched from instead of the `crl` file, polled with conditional GETs. */
  crlUrl: string | undefined;
  crlFetch: { intervalMs: number; timeoutMs: number; maxBytes: number };
}

export interface AppConfig {
  env: NodeEnv;
  logLevel: string;
  host: string;
  agencyPort: number;
  publicPort: number;
  publicBaseUrl: string | undefined;
  /** The operations listener, serving /metrics only (port 0: any free port). */
  metricsListen: { host: string; port: number };
  /** Unset means: start the embedded PostgreSQL under embeddedPg.dir. */
  databaseUrl: string | undefined;
  /** The owner's login, for migrations; unset with DATABASE_URL means the schema is migrated by someone else. */
  databaseOwnerUrl: string | undefined;
  /** A read replica for reads that may lag (officer searches and exports); unset: the primary serves them. */
  databaseReplicaUrl: string | undefined;
  dbPoolMax: number;
  /** Connections opened at start and kept open however idle (at most dbPoolMax). */
  dbPoolMin: number;
  dbStatementTimeoutMs: number;
  embeddedPg: { dir: string; port: number };
  tls: TlsConfig;
  signingKeyFile: string;
  /** The key of the sector identifiers, shared with the identity provider (32 bytes, base64; the demo's in development). */
  sectorKeyFile: string;
  generateDevPki: boolean;
  demoSeed: boolean;
  shutdownGraceMs: number;
  shutdownDrainTimeoutMs: number;
  bodyLimitBytes: number;
  /** Load shedding on each listener, and per-organisation rate limits on the agency listener. */
  admission: {
    maxInFlight: number;
    publicMaxInFlight: number;
    publicAnonymousMaxInFlight: number;
    ratePerSecond: number;
    burst: number;
  };
  /** The slowest a public-listener request body may arrive before it is cut (408). */
  bodyRate: { graceMs: number; minBytesPerSecond: number };
  jsonMaxDepth: number;
  otel: TelemetryOptions;
  schemasDir: string;
  sources: SourcesConfig;
  citizenAuth: CitizenAuthConfig;
  consent: { expiryIntervalMs: number };
  /** The fan-out of reported changes: how often it looks, and how many changes per transaction. */
  changes: { intervalMs: number; batch: number; bodyLimitBytes: number };
  audit: AuditConfig;
  notifications: NotificationsConfig;
  /** Node-to-node coordination over PostgreSQL: how often each node says it is alive. */
  cluster: { heartbeatMs: number };
}

export interface AuditConfig {
  /**
   * A copy of this node's signed head and checkpoints as files, for operators who ship them to write-once
   * storage; unset: none. The signed evidence itself is stored with the log, for every node.
   */
  checkpointDir: string | undefined;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  /** The HMAC key that turns citizen ids into pseudonyms (32 random bytes; generated in development). */
  pseudonymKeyFile: string;
}

export interface NotificationsConfig {
  /** How often the outbox is dispatched and due deliveries are attempted. */
  intervalMs: number;
  webhookTimeoutMs: number;
  /** After this many failed attempts a delivery is dead-lettered. */
  maxAttempts: number;
  /** Backoff before retry n is base × 2^(n-1), jittered, at most an hour. */
  retryBaseMs: number;
  /** Production webhooks must be HTTPS; development allows a local HTTP receiver. */
  allowHttpWebhooks: boolean;
  /** Where callbacks may connect: public unicast addresses and these CIDR networks, or `any` (development). */
  webhookNetworks: 'any' | string[];
  /**
   * Where citizens' e-mail is sent (SMTP). Unset: e-mail waits in the outbox
   * until it is set; `npm start` starts a local server instead (devMail).
   */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Where the development mail server keeps what it receives (.eml files, text messages). */
  mailDir: string;
  /** The text-message provider: POST `{to, text}` as JSON, with an optional bearer token. Unset: no text messages. */
  sms: { url: string | undefined; token: string | undefined };
  /** The portal's address, for the links in messages (no trailing slash). */
  portalBaseUrl: string;
  /** `npm start`, with SMTP_URL unset, runs a local SMTP server and a read-only inbox on 127.0.0.1. */
  devMail: { enabled: boolean; smtpPort: number; httpPort: number };
}

export interface CitizenAuthConfig {
  /** The identity provider whose tokens the citizen and officer APIs accept (OIDC discovery from here). */
  issuer: string;
  audience: string;
  /** The claim that carries roles, e.g. `privacy-officer`. */
  roleClaim: string;
  /** The portal's OpenID Connect client (a public client: authorization code with PKCE). */
  portalClientId: string;
  /** Start the development OpenID Provider with the gateway. */
  devIdp: { enabled: boolean; port: number; keyFile: string };
}

export interface SourcesConfig {
  /** Endpoint name (as contracts name it) → URL. Simulators add theirs in development. */
  endpoints: Record<string, string>;
  /** Start the legacy-system simulators with the gateway (development and demos). */
  simulators: boolean;
  /** The simulators listen on this port and the next three; 0 picks free ports. */
  simulatorBasePort: number;
  /**
   * A login that may create the demo SQL source's own database and its reader role, when DATABASE_URL is set
   * (the gateway's logins may not); unset: DATABASE_OWNER_URL, then DATABASE_URL.
   */
  simulatorDatabaseUrl: string | undefined;
  /** The demo agencies' webhook receiver (127.0.0.1), started with the simulators and the demo seed; 0: a free port. */
  demoWebhookPort: number;
  deadlineMs: number;
  maxResponseBytes: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true });
const validateEnv = ajv.compile<Record<string, unknown>>(ENV_SCHEMA);

function describe(error: ErrorObject): string {
  const variable = error.instancePath.replace(/^\//, '');
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${variable}: must be one of ${allowed}`;
  }
  return `${variable}: ${error.message ?? 'is invalid'}`;
}

/** The variables the schema knows, for the README table and for tests. */
export const CONFIG_VARIABLES = Object.keys(ENV_SCHEMA.properties);

/**
 * Reads and validates the environment. Pure apart from resolving relative paths
 * against `cwd`, so tests can feed it any environment they like.
 */
export function loadConfig(source: NodeJS.ProcessEnv, cwd = process.cwd()): AppConfig {
  // Only known variables are validated; an empty string counts as unset so that
  // `FOO= npm start` behaves like not setting FOO at all.
  const env: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = source[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  if (!validateEnv(env)) {
    throw new ConfigError((validateEnv.errors ?? []).map(describe));
  }
  const v = env as Record<string, string | number | boolean | undefined>;
  const nodeEnv = v.NODE_ENV as NodeEnv;
  const devIdp = (v.DEV_IDP as boolean | undefined) ?? nodeEnv !== 'production';
  const missing: string[] = [];
  if (nodeEnv === 'production' && v.DATABASE_URL === undefined) {
    // The embedded database is a development convenience; production data lives
    // in a managed, backed-up PostgreSQL.
    missing.push('DATABASE_URL: is required when NODE_ENV is production');
  }
  if (v.OIDC_ISSUER === undefined && !devIdp) {
    missing.push('OIDC_ISSUER: is required unless the development IdP runs (DEV_IDP)');
  }
  if (nodeEnv === 'production' && typeof v.SMS_URL === 'string' && !v.SMS_URL.startsWith('https://')) {
    // The bearer token, the number and the text would cross the network in clear.
    missing.push('SMS_URL: must be https:// when NODE_ENV is production');
  }
  const webhookNetworks = parseNetworks(v.WEBHOOK_ALLOWED_NETWORKS as string | undefined, nodeEnv, missing);
  const metricsListen = parseListenAddress(v.METRICS_LISTEN as string);
  if (metricsListen === undefined) missing.push('METRICS_LISTEN: must be host:port, e.g. 127.0.0.1:9464');
  if (typeof v.DB_POOL_MIN === 'number' && v.DB_POOL_MIN > (v.DB_POOL_MAX as number)) {
    missing.push(`DB_POOL_MIN: must not exceed DB_POOL_MAX (${String(v.DB_POOL_MAX)})`);
  }
  if (missing.length > 0) throw new ConfigError(missing);
  const certsDir = resolve(cwd, v.CERTS_DIR as string);
  const fromCerts = (variable: string | number | boolean | undefined, file: string): string =>
    resolve(cwd, typeof variable === 'string' ? variable : `${certsDir}/${file}`);
  return {
    env: nodeEnv,
    logLevel: v.LOG_LEVEL as string,
    host: v.HOST as string,
    agencyPort: v.AGENCY_PORT as number,
    publicPort: v.PUBLIC_PORT as number,
    publicBaseUrl: v.PUBLIC_BASE_URL as string | undefined,
    metricsListen: metricsListen ?? { host: '', port: 0 },
    databaseUrl: v.DATABASE_URL as string | undefined,
    databaseOwnerUrl: v.DATABASE_OWNER_URL as string | undefined,
    databaseReplicaUrl: v.DATABASE_REPLICA_URL as string | undefined,
    dbPoolMax: v.DB_POOL_MAX as number,
    dbPoolMin: (v.DB_POOL_MIN as number | undefined) ?? Math.ceil((v.DB_POOL_MAX as number) / 2),
    dbStatementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS as number,
    embeddedPg: { dir: resolve(cwd, v.EMBEDDED_PG_DIR as string), port: v.EMBEDDED_PG_PORT as number },
    tls: {
      certsDir,
      serverCert: fromCerts(v.TLS_SERVER_CERT, 'server.crt'),
      serverKey: fromCerts(v.TLS_SERVER_KEY, 'server.key'),
      clientCa: fromCerts(v.TLS_CLIENT_CA, 'agency-ca.crt'),
      crl: fromCerts(v.TLS_CRL, 'agency-ca.crl'),
      crlPollIntervalMs: v.CRL_POLL_INTERVAL_MS as number,
      crlUrl: v.CRL_URL as string | undefined,
      crlFetch: {
        intervalMs: v.CRL_FETCH_INTERVAL_MS as number,
        timeoutMs: v.CRL_FETCH_TIMEOUT_MS as number,
        maxBytes: v.CRL_MAX_BYTES as number,
      },
    },
    signingKeyFile: fromCerts(v.SIGNING_KEY_FILE, 'signing-key.pem'),
    sectorKeyFile: fromCerts(v.SECTOR_KEY_FILE, 'sector-identifier.key'),
    // Development conveniences are on by default everywhere except production,
    // where keys and certificates must be provisioned, never invented.
    generateDevPki: (v.GENERATE_DEV_PKI as boolean | undefined) ?? nodeEnv !== 'production',
    demoSeed: (v.DEMO_SEED as boolean | undefined) ?? nodeEnv !== 'production',
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS as number,
    shutdownDrainTimeoutMs: v.SHUTDOWN_DRAIN_TIMEOUT_MS as number,
    bodyLimitBytes: v.BODY_LIMIT_BYTES as number,
    admission: {
      maxInFlight: v.AGENCY_MAX_IN_FLIGHT as number,
      publicMaxInFlight: v.PUBLIC_MAX_IN_FLIGHT as number,
      publicAnonymousMaxInFlight: v.ANONYMOUS_MAX_IN_FLIGHT as number,
      ratePerSecond: v.AGENCY_RATE_LIMIT_RPS as number,
      burst: v.AGENCY_RATE_LIMIT_BURST as number,
    },
    bodyRate: { graceMs: v.BODY_MIN_RATE_GRACE_MS as number, minBytesPerSecond: v.BODY_MIN_BYTES_PER_SECOND as number },
    jsonMaxDepth: v.JSON_MAX_DEPTH as number,
    otel: {
      endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT as string | undefined,
      serviceName: v.OTEL_SERVICE_NAME as string,
      protocol: v.OTEL_EXPORTER_OTLP_PROTOCOL as 'http/protobuf' | 'http/json',
      sqlStatements: v.TRACE_SQL_STATEMENTS as boolean,
    },
    schemasDir: resolve(cwd, v.SCHEMAS_DIR as string),
    sources: {
      endpoints: parseEndpoints(v.SOURCE_ENDPOINTS as string | undefined),
      simulators: (v.SIMULATORS as boolean | undefined) ?? nodeEnv !== 'production',
      simulatorBasePort: v.SIMULATOR_BASE_PORT as number,
      simulatorDatabaseUrl: v.SIMULATOR_DATABASE_URL as string | undefined,
      demoWebhookPort: v.DEMO_WEBHOOK_PORT as number,
      deadlineMs: v.SOURCE_DEADLINE_MS as number,
      maxResponseBytes: v.SOURCE_MAX_RESPONSE_BYTES as number,
      breakerFailures: v.SOURCE_BREAKER_FAILURES as number,
      breakerHalfOpenMs: v.SOURCE_BREAKER_HALF_OPEN_MS as number,
    },
    consent: { expiryIntervalMs: v.CONSENT_EXPIRY_INTERVAL_MS as number },
    cluster: { heartbeatMs: v.CLUSTER_HEARTBEAT_MS as number },
    changes: {
      intervalMs: v.CHANGES_INTERVAL_MS as number,
      batch: v.CHANGES_BATCH as number,
      bodyLimitBytes: v.CHANGES_BODY_LIMIT_BYTES as number,
    },
    audit: {
      checkpointDir: checkpointDirOf(v.AUDIT_CHECKPOINT_DIR as string | undefined, cwd),
      checkpointEvery: v.AUDIT_CHECKPOINT_EVERY as number,
      checkpointIntervalMs: v.AUDIT_CHECKPOINT_INTERVAL_MS as number,
      pseudonymKeyFile: fromCerts(v.AUDIT_PSEUDONYM_KEY_FILE, 'audit-pseudonym.key'),
    },
    notifications: {
      intervalMs: v.NOTIFY_INTERVAL_MS as number,
      webhookTimeoutMs: v.WEBHOOK_TIMEOUT_MS as number,
      maxAttempts: v.WEBHOOK_MAX_ATTEMPTS as number,
      retryBaseMs: v.WEBHOOK_RETRY_BASE_MS as number,
      allowHttpWebhooks: nodeEnv !== 'production',
      webhookNetworks,
      smtpUrl: v.SMTP_URL as string | undefined,
      mailFrom: v.MAIL_FROM as string,
      mailDir: resolve(cwd, v.MAIL_DIR as string),
      sms: { url: v.SMS_URL as string | undefined, token: v.SMS_TOKEN as string | undefined },
      portalBaseUrl: (
        (v.PORTAL_BASE_URL as string | undefined) ??
        publicBaseOf({ publicBaseUrl: v.PUBLIC_BASE_URL as string | undefined, publicPort: v.PUBLIC_PORT as number })
      ).replace(/\/+$/, ''),
      devMail: {
        enabled: (v.DEV_MAIL as boolean | undefined) ?? nodeEnv !== 'production',
        smtpPort: v.DEV_MAIL_SMTP_PORT as number,
        httpPort: v.DEV_MAIL_HTTP_PORT as number,
      },
    },
    citizenAuth: {
      issuer: (v.OIDC_ISSUER as string | undefined) ?? `http://localhost:${v.DEV_IDP_PORT as number}`,
      audience: v.OIDC_AUDIENCE as string,
      roleClaim: v.OIDC_ROLE_CLAIM as string,
      portalClientId: v.OIDC_PORTAL_CLIENT_ID as string,
      devIdp: {
        enabled: devIdp,
        port: v.DEV_IDP_PORT as number,
        keyFile: fromCerts(v.DEV_IDP_KEY_FILE, 'dev-idp-key.json'),
      },
    },
  };
}

/** Where browsers reach the public listener: PUBLIC_BASE_URL, or localhost on the public port. */
export function publicBaseOf(config: Pick<AppConfig, 'publicBaseUrl' | 'publicPort'>): string {
  return (config.publicBaseUrl ?? `http://localhost:${config.publicPort}`).replace(/\/+$/, '');
}
