import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { CertificateBindingEntity } from './certificate-binding.entity';

export type OrganisationStatus = 'active' | 'suspended';

@Entity({ name: 'organisation' })
export class OrganisationEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: OrganisationStatus;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt!: Date;

  @OneToMany(() => CertificateBindingEntity, (binding) => binding.organisation)
  bindings?: CertificateBindingEntity[];
}
