import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganisationEntity } from './organisation.entity';

@Entity({ name: 'certificate_binding' })
export class CertificateBindingEntity {
  @PrimaryColumn({ name: 'fingerprint_sha256', type: 'char', length: 64 })
  fingerprintSha256!: string;

  @Column({ name: 'organisation_id', type: 'text' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity, (organisation) => organisation.bindings, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: OrganisationEntity;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'serial_number', type: 'text' })
  serialNumber!: string;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  @Column({ type: 'text', nullable: true })
  label!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
