import { Injectable } from '@nestjs/common';
import { Catalogue } from '../contracts/catalogue';
import { OrganisationRepository } from '../identity/organisation.repository';
import type { MessageNames } from './citizen-messages';

/** Organisations are renamed rarely: their names are read again at most this often. */
const ORGANISATIONS_TTL_MS = 60_000;

/**
 * The names messages print: organisations from the registry (through the
 * identity context), information and reasons from the catalogue.
 */
@Injectable()
export class MessageNameSource {
  private organisations: { at: number; names: Promise<ReadonlyMap<string, string>> } | undefined;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly registry: OrganisationRepository,
  ) {}

  async load(): Promise<MessageNames> {
    const organisations = await this.organisationNames();
    return {
      organisation: (id) => organisations.get(id),
      product: (code, lang) => this.catalogue.latest(code)?.title[lang],
      purpose: (code, lang) => this.catalogue.purposes.get(code)?.title[lang],
    };
  }

  private organisationNames(): Promise<ReadonlyMap<string, string>> {
    const now = Date.now();
    if (this.organisations === undefined || now - this.organisations.at > ORGANISATIONS_TTL_MS) {
      const names = this.registry.list().then((list) => new Map(list.map((o) => [o.id, o.name])));
      // A failed read is not kept: the next message asks again.
      names.catch(() => {
        this.organisations = undefined;
      });
      this.organisations = { at: now, names };
    }
    return this.organisations.names;
  }
}
