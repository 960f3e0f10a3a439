import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { CertificateBindingEntity } from './certificate-binding.entity';

export type OrganisationStatus = 'active' | 'suspended';
/** How the organisation names citizens: by its sector's identifiers, or (while it migrates) by pivot id. */
export type CitizenIdentifiers = 'sector' | 'pivot';

@Entity({ name: 'organisation' })
export class OrganisationEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: OrganisationStatus;

  /** The sector of government it belongs to: its agencies share one identifier per citizen. */
  @Column({ type: 'text' })
  sector!: string;

  @Column({ type: 'text', default: 'sector' })
  identifiers!: CitizenIdentifiers;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt!: Date;

  @OneToMany(() => CertificateBindingEntity, (binding) => binding.organisation)
  bindings?: CertificateBindingEntity[];
}
