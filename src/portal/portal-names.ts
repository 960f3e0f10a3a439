import { Injectable } from '@nestjs/common';
import { Catalogue } from '../contracts/catalogue';
import { Sql, type PreparedStatement } from '../platform/database/sql';
import type { Names } from './views-citizen';

const ORGANISATION_NAMES: PreparedStatement = {
  name: 'portal.organisation-names',
  text: 'SELECT id, name FROM organisation ORDER BY id',
};

/** The names pages show: organisations from the registry, products and purposes from the contracts. */
@Injectable()
export class PortalNames {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly sql: Sql,
  ) {}

  async load(): Promise<Names> {
    const rows = await this.sql.query<{ id: string; name: string }>(ORGANISATION_NAMES, []);
    return { catalogue: this.catalogue, organisations: new Map(rows.map((row) => [row.id, row.name])) };
  }
}
