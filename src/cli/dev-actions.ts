import { ensureDevPseudonymKey } from '../audit/pseudonym-key';
import { ensureDevIdpKey, loadDevIdpKey } from '../citizen-auth/dev-idp/dev-idp-key';
import { mintDevToken } from '../citizen-auth/dev-idp/dev-token';
import { ensureDevPki } from '../identity/dev-pki/dev-pki';
import { IDENTITY_ENTITIES, OrganisationNotFoundError } from '../identity/organisation.repository';
import { ensureDevSectorKey } from '../identity/sector-key';
import type { AppConfig } from '../platform/config/config';
import { ensureDevSigningKey } from '../platform/signing/signing-key';
import type { AddressValues } from './change-address';
import { citizenIdentifier } from './citizen-identifier';
import { withDatabase } from './database';
import { need, pivotOf, UsageError } from './usage';

export interface DevValues extends AddressValues {
  sub?: string;
  role?: string;
  ttl?: string;
  org?: string;
}

export async function devCerts(config: AppConfig): Promise<string> {
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

export async function devCitizenId(config: AppConfig, values: { sub?: string; org?: string }): Promise<string> {
  const organisation = need(values.org, '--org');
  const pivot = pivotOf(values);
  try {
    return await withDatabase(config, (dataSource) => citizenIdentifier(config, dataSource, organisation, pivot), {
      readOnly: true,
      entities: IDENTITY_ENTITIES,
    });
  } catch (error) {
    // The command line named it: a usage error, like an unknown command.
    if (error instanceof OrganisationNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

/** A token as the dev IdP would issue it, signed with its key: the gateway verifies it through the running IdP. */
export async function devToken(
  config: AppConfig,
  values: { sub?: string; role?: string; ttl?: string },
): Promise<string> {
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
