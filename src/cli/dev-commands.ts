import { ensureDevPseudonymKey } from '../audit/pseudonym-key';
import { ensureDevIdpKey, loadDevIdpKey } from '../citizen-auth/dev-idp/dev-idp-key';
import { mintDevToken } from '../citizen-auth/dev-idp/dev-token';
import { ensureDevPki } from '../identity/dev-pki/dev-pki';
import { ensureDevSectorKey } from '../identity/sector-key';
import type { AppConfig } from '../platform/config/config';
import { ensureDevSigningKey } from '../platform/signing/signing-key';
import { type AddressValues, changeAddress } from './change-address';
import { citizenIdentifier } from './citizen-identifier';
import { withDatabase } from './database';
import { need, pivotOf, UsageError } from './usage';

export const DEV_USAGE = `  dev certs                             regenerate the development PKI in CERTS_DIR
  dev token --sub <pivot id> [--role privacy-officer] [--ttl <seconds>]
                                        print a bearer token of the development IdP
  dev citizen-id --org <id> --sub <pivot id>
                                        print the identifier by which that organisation names the citizen
  dev change-address --sub <pivot id> --street "<number> <street>" --city "<city>" --postal-code "<A1A 1A1>"
                     [--unit <unit>] [--province <QC>]
                                        move the citizen in the SAAQ simulator, then report the change to the
                                        running gateway as saaq (mutual TLS), and print the change id
`;

export interface DevValues extends AddressValues {
  sub?: string;
  role?: string;
  ttl?: string;
  org?: string;
}

export async function dev(config: AppConfig, args: string[], values: DevValues): Promise<string> {
  switch (args[0]) {
    case 'token':
      return devToken(config, values);
    case 'citizen-id':
      return devCitizenId(config, values);
    case 'change-address':
      return changeAddress(config, values);
    case 'certs':
      return devCerts(config);
    default:
      throw new UsageError(`unknown dev command "${args[0] ?? ''}"`);
  }
}

async function devCerts(config: AppConfig): Promise<string> {
  await ensureDevPki(config.tls.certsDir, { force: true });
  await ensureDevSigningKey(config.signingKeyFile);
  await ensureDevPseudonymKey(config.audit.pseudonymKeyFile);
  await ensureDevIdpKey(config.citizenAuth.devIdp.keyFile);
  await ensureDevSectorKey(config.sectorKeyFile);
  return [
    `development PKI regenerated in ${config.tls.certsDir}`,
    'Restart the gateway to use it; npm start binds the new demo certificates.',
  ].join('\n');
}

async function devCitizenId(config: AppConfig, values: { sub?: string; org?: string }): Promise<string> {
  const organisation = need(values.org, '--org');
  const pivot = pivotOf(values);
  return withDatabase(config, (dataSource) => citizenIdentifier(config, dataSource, organisation, pivot));
}

/** A token as the dev IdP would issue it, signed with its key: the gateway verifies it through the running IdP. */
async function devToken(config: AppConfig, values: { sub?: string; role?: string; ttl?: string }): Promise<string> {
  if (!config.citizenAuth.devIdp.enabled) throw new UsageError('dev token needs the development IdP (DEV_IDP)');
  const subject = need(values.sub, '--sub');
  const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) {
    throw new UsageError('--ttl must be 1 to 86400 seconds');
  }
  const { devIdp, issuer, audience, roleClaim } = config.citizenAuth;
  await ensureDevIdpKey(devIdp.keyFile);
  return mintDevToken(await loadDevIdpKey(devIdp.keyFile), {
    issuer,
    audience,
    subject,
    roles: values.role === undefined ? [] : [values.role],
    roleClaim,
    ttlSeconds,
  });
}
