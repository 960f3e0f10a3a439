import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { PreparedStatement } from '../platform/database/sql';
import { CertificateBindingEntity } from './certificate-binding.entity';
import { type CitizenIdentifiers, OrganisationEntity, type OrganisationStatus } from './organisation.entity';

/** The identity context's TypeORM entities, for whoever opens a connection that uses this repository. */
export const IDENTITY_ENTITIES = [OrganisationEntity, CertificateBindingEntity];

/** The identity lookup on every agency request: one primary-key probe and a join. */
export const FIND_BINDING: PreparedStatement = {
  name: 'identity.find-binding',
  text: `SELECT o.id AS "organisationId", o.status, o.sector, o.identifiers
           FROM certificate_binding b JOIN organisation o ON o.id = b.organisation_id
          WHERE b.fingerprint_sha256 = $1`,
};

export interface OrganisationSummary {
  id: string;
  name: string;
  status: OrganisationStatus;
  sector: string;
  identifiers: CitizenIdentifiers;
  certificates: number;
}

/** What an organisation is registered with, besides its name. */
export interface OrganisationTerms {
  sector: string;
  identifiers?: CitizenIdentifiers;
}

export interface NewBinding {
  fingerprint: string;
  subject: string;
  serialNumber: string;
  notAfter: Date;
  label?: string;
}

export class OrganisationNotFoundError extends Error {
  constructor(readonly organisationId: string) {
    super(`No organisation "${organisationId}"`);
  }
}

/** Administration of organisations and their certificate bindings (CLI, seed). */
@Injectable()
export class OrganisationRepository {
  private readonly organisations: Repository<OrganisationEntity>;
  private readonly bindings: Repository<CertificateBindingEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.organisations = dataSource.getRepository(OrganisationEntity);
    this.bindings = dataSource.getRepository(CertificateBindingEntity);
  }

  async list(): Promise<OrganisationSummary[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        name: string;
        status: OrganisationStatus;
        sector: string;
        identifiers: CitizenIdentifiers;
        certificates: string;
      }[]
    >(
      `SELECT o.id, o.name, o.status, o.sector, o.identifiers, count(b.fingerprint_sha256) AS certificates
         FROM organisation o LEFT JOIN certificate_binding b ON b.organisation_id = o.id
        GROUP BY o.id ORDER BY o.id`,
    );
    return rows.map((row) => ({ ...row, certificates: Number(row.certificates) }));
  }

  /**
   * Creates the organisation, or updates its name, sector and identifiers if
   * it exists; never changes its status.
   */
  async register(id: string, name: string, terms: OrganisationTerms): Promise<void> {
    await this.organisations
      .createQueryBuilder()
      .insert()
      .values({ id, name, status: 'active', sector: terms.sector, identifiers: terms.identifiers ?? 'sector' })
      .orUpdate(['name', 'sector', 'identifiers', 'updated_at'], ['id'])
      .execute();
  }

  /** An organisation's sector and how it names citizens. */
  async naming(id: string): Promise<{ sector: string; identifiers: CitizenIdentifiers } | undefined> {
    const found = await this.organisations.findOne({ where: { id }, select: { sector: true, identifiers: true } });
    return found === null ? undefined : { sector: found.sector, identifiers: found.identifiers };
  }

  /** The sectors organisations belong to: where an identifier that names nobody may have come from. */
  async sectors(): Promise<string[]> {
    const rows = await this.dataSource.query<{ sector: string }[]>(
      'SELECT DISTINCT sector FROM organisation ORDER BY sector',
    );
    return rows.map((row) => row.sector);
  }

  async setStatus(id: string, status: OrganisationStatus): Promise<void> {
    const result = await this.organisations
      .createQueryBuilder()
      .update()
      .set({ status, updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    if (result.affected === 0) throw new OrganisationNotFoundError(id);
  }

  /** Binds (or re-binds) a certificate fingerprint to an organisation. */
  async bindCertificate(organisationId: string, binding: NewBinding): Promise<void> {
    if ((await this.organisations.countBy({ id: organisationId })) === 0) {
      throw new OrganisationNotFoundError(organisationId);
    }
    await this.bindings.upsert(
      {
        fingerprintSha256: binding.fingerprint,
        organisationId,
        subject: binding.subject,
        serialNumber: binding.serialNumber,
        notAfter: binding.notAfter,
        label: binding.label ?? null,
      },
      ['fingerprintSha256'],
    );
  }

  /**
   * Unbinds a certificate from the organisation; returns whether it was bound
   * to it. Nothing caches bindings: every agency request looks its own up
   * (FIND_BINDING), so the next request with that certificate is refused, on
   * every node and on connections already open.
   */
  async unbindCertificate(organisationId: string, fingerprint: string): Promise<boolean> {
    if ((await this.organisations.countBy({ id: organisationId })) === 0) {
      throw new OrganisationNotFoundError(organisationId);
    }
    const result = await this.bindings.delete({ organisationId, fingerprintSha256: fingerprint });
    return (result.affected ?? 0) > 0;
  }

  /** Removes bindings carrying `label` whose fingerprint is not in `keep` (stale seeded certificates). */
  async removeLabelledBindingsExcept(label: string, keep: string[]): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM certificate_binding WHERE label = $1 AND NOT (fingerprint_sha256 = ANY($2::text[]))',
      [label, keep],
    );
  }
}
