import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { devPkiPaths } from './dev-pki/dev-pki';
import type { OrganisationRepository } from './organisation.repository';
import { normaliseFingerprint, normaliseSerial } from './peer-certificate';

/** The demo organisations and their sectors: each requesting agency a sector of its own, each source too. */
export const DEMO_ORGANISATIONS: ReadonlyArray<{ id: string; name: string; sector: string }> = [
  { id: 'afe', name: 'Aide financière aux études', sector: 'education' },
  { id: 'mess', name: "Ministère de l'Emploi et de la Solidarité sociale", sector: 'solidarity' },
  { id: 'retraite-qc', name: 'Retraite Québec', sector: 'pensions' },
  { id: 'dec', name: "Directeur de l'état civil", sector: 'civil-status' },
  { id: 'rq', name: 'Revenu Québec', sector: 'revenue' },
  { id: 'saaq', name: "Société de l'assurance automobile du Québec", sector: 'transport' },
  { id: 'ramq', name: "Régie de l'assurance maladie du Québec", sector: 'health' },
];

/**
 * Which dev certificate speaks for which organisation. The refused identities
 * `revoked`, `expired` and `rogue` are deliberately bound to `afe`: their
 * refusal must come from the CRL, the validity dates and the CA check, not
 * from a missing binding. `unregistered` stays unbound.
 */
export const DEMO_BINDINGS: ReadonlyArray<{ certificate: string; organisation: string }> = [
  { certificate: 'afe', organisation: 'afe' },
  { certificate: 'mess', organisation: 'mess' },
  { certificate: 'retraite-qc', organisation: 'retraite-qc' },
  { certificate: 'revoked', organisation: 'afe' },
  { certificate: 'expired', organisation: 'afe' },
  { certificate: 'rogue', organisation: 'afe' },
];

/**
 * The source agencies' certificates: they call the agency API to report that
 * data they own has changed. Kept apart from DEMO_BINDINGS, whose
 * organisations are also the identity provider's agency clients.
 */
export const DEMO_SOURCE_BINDINGS: ReadonlyArray<{ certificate: string; organisation: string }> = [
  { certificate: 'dec', organisation: 'dec' },
  { certificate: 'rq', organisation: 'rq' },
  { certificate: 'saaq', organisation: 'saaq' },
  { certificate: 'ramq', organisation: 'ramq' },
];

export const DEMO_BINDING_LABEL = 'demo-seed';

export interface CertificateFacts {
  fingerprint: string;
  subject: string;
  serialNumber: string;
  notAfter: Date;
}

export function certificateFacts(pem: string): CertificateFacts {
  const certificate = new X509Certificate(pem);
  return {
    fingerprint: normaliseFingerprint(certificate.fingerprint256),
    subject: certificate.subject.replaceAll('\n', ', '),
    serialNumber: normaliseSerial(certificate.serialNumber),
    notAfter: new Date(certificate.validTo),
  };
}

/** Idempotent: safe on every start, and it follows regenerated dev certificates. */
export async function seedDemoOrganisations(repository: OrganisationRepository, certsDir: string): Promise<void> {
  for (const organisation of DEMO_ORGANISATIONS) {
    await repository.register(organisation.id, organisation.name, { sector: organisation.sector });
  }
  const paths = devPkiPaths(certsDir);
  const seeded: string[] = [];
  for (const { certificate, organisation } of [...DEMO_BINDINGS, ...DEMO_SOURCE_BINDINGS]) {
    const file = paths.agencyCert(certificate);
    if (!existsSync(file)) continue;
    const facts = certificateFacts(await readFile(file, 'utf8'));
    await repository.bindCertificate(organisation, { ...facts, label: DEMO_BINDING_LABEL });
    seeded.push(facts.fingerprint);
  }
  await repository.removeLabelledBindingsExcept(DEMO_BINDING_LABEL, seeded);
}
