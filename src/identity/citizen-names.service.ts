import { Injectable } from '@nestjs/common';
import type { CitizenIdentifiers } from './organisation.entity';
import { OrganisationRepository } from './organisation.repository';
import { SectorIdentifiers } from './sector-identifier';

/** How an organisation names citizens: its sector, and whether it still uses pivot ids. */
export interface CitizenNaming {
  sector: string;
  identifiers: CitizenIdentifiers;
}

/** Why a citizen field names nobody for the agency that sent it. The audit keeps it; the agency is told nothing. */
export type NamingRefusal = 'pivot-identifier' | 'other-sector-identifier' | 'unknown-identifier';

export interface Unnamed {
  reason: NamingRefusal;
  /** Whose it is, when that is known (a pivot id, or another sector's identifier): for the officers' search. */
  pivot?: string;
  /** The other sector, for `other-sector-identifier`. */
  sector?: string;
}

const PIVOT = /^[A-Za-z0-9-]{1,64}$/;
/** Identifiers translated lately, by sector: a repeat costs a map read instead of a decryption (about 20 µs). */
const RECENT = 10_000;

/**
 * Translates between the identifiers agencies use and the pivot id, which
 * never leaves the gateway: inbound with `pivotOf`, outbound with
 * `identifierFor`. Both are pure CPU (the identifiers are keyed encryptions:
 * no table, no round trip). `explain` runs on refusals only.
 */
@Injectable()
export class CitizenNames {
  /** `${sector} ${identifier}` → pivot, oldest first; only identifiers that named someone. */
  private readonly recent = new Map<string, string>();

  constructor(
    private readonly identifiers: SectorIdentifiers,
    private readonly organisations: OrganisationRepository,
  ) {}

  /** The pivot id the caller's `value` names, or undefined when it names nobody for this caller. */
  pivotOf(caller: CitizenNaming, value: string): string | undefined {
    if (caller.identifiers === 'pivot') return PIVOT.test(value) ? value : undefined;
    // The translation never changes (one key, one derivation): a cached answer is as good as a fresh one.
    const key = `${caller.sector} ${value}`;
    const cached = this.recent.get(key);
    if (cached !== undefined) return cached;
    const pivot = this.identifiers.pivotOf(caller.sector, value);
    if (pivot !== undefined) {
      if (this.recent.size >= RECENT) this.recent.delete(this.recent.keys().next().value as string);
      this.recent.set(key, pivot);
    }
    return pivot;
  }

  /** How the caller names `pivot`: its sector's identifier (or the pivot id, for one still migrating). */
  identifierFor(caller: CitizenNaming, pivot: string): string {
    return caller.identifiers === 'pivot' ? pivot : this.identifiers.identifierOf(caller.sector, pivot);
  }

  /** How `organisation` names citizens, or undefined when there is no such organisation. */
  async namingOf(organisation: string): Promise<CitizenNaming | undefined> {
    return this.organisations.naming(organisation);
  }

  /**
   * Why `value` names nobody for the caller: another sector's identifier (the
   * registered sectors are tried), a pivot id the gateway knows
   * (`isKnownPivot`), or something nobody issued.
   */
  async explain(
    caller: CitizenNaming,
    value: string,
    isKnownPivot: (pivot: string) => Promise<boolean>,
  ): Promise<Unnamed> {
    const others = (await this.organisations.sectors()).filter((sector) => sector !== caller.sector);
    const other = this.identifiers.explain(value, others);
    if (other !== undefined) return { reason: 'other-sector-identifier', pivot: other.pivot, sector: other.sector };
    if (PIVOT.test(value) && (await isKnownPivot(value))) return { reason: 'pivot-identifier', pivot: value };
    return { reason: 'unknown-identifier' };
  }
}
