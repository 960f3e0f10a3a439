import type { ValidateFunction } from 'ajv';
import type { RecordMapping } from './mapping';

export interface LocalisedTitle {
  fr: string;
  en: string;
}

/** What makes an exchange for a purpose lawful: the citizen's consent, or a statute that authorises it. */
export type Basis = 'consent' | 'statute';

/** A purpose as `schemas/purposes.json` declares it, with its defaults filled. */
export interface Purpose {
  code: string;
  title: LocalisedTitle;
  legalReference: string;
  basis: Basis;
  /** The longest consent a citizen may give for it: consent purposes only. */
  maxConsentDays?: number;
  /** Every exchange must name the agency's case (`caseRef`). */
  caseRefRequired: boolean;
  /** A statute's window in force, `[effectiveFrom, effectiveUntil)`, as RFC 3339 times. */
  effectiveFrom?: string;
  effectiveUntil?: string;
  /** A statute access appears in the citizen's access log only this many days after it happened. */
  disclosure?: { delayDays: number };
}

export type Classification = 'unclassified' | 'protected-a' | 'protected-b' | 'protected-c';

export interface SourceSpec {
  /** One of the adapter kinds the contracts were loaded with. */
  adapter: string;
  /** The name of a source endpoint; its address is deployment configuration. */
  endpoint: string;
  deadlineMs?: number;
  settings: unknown;
  mapping: RecordMapping;
}

/** A data product's contract as written in `schemas/products/<product>/v<n>/contract.json`. */
export interface ContractManifest {
  product: string;
  version: number;
  title: LocalisedTitle;
  owner: string;
  classification: Classification;
  retention: { maxDays: number; note?: string };
  schema: string;
  /** Every top-level field of the schema, in plain words. */
  fields: Record<string, LocalisedTitle>;
  source: SourceSpec;
  /** requester → purpose → the fields it may receive. */
  access: Record<string, Record<string, string[]>>;
}

export interface ProductContract extends ContractManifest {
  /** The product's data JSON Schema (2020-12). */
  dataSchema: Record<string, unknown>;
  /** Compiled once, at load. */
  validate: ValidateFunction;
  /** Relative to the schemas directory, for messages. */
  file: string;
}

/** What one organisation sees of a contract: never the access rules of others. */
export type CatalogueEntry = Pick<
  ContractManifest,
  'product' | 'version' | 'title' | 'owner' | 'classification' | 'retention'
> & { purposes: (Purpose & { fields: string[] })[] };

const key = (product: string, version: number): string => `${product}@${version}`;

/** What a catalogue holds: swapped whole, so that every lookup reads one set or the other, never a mix. */
interface Content {
  readonly byKey: ReadonlyMap<string, ProductContract>;
  readonly purposes: ReadonlyMap<string, Purpose>;
}

/**
 * A step that depends on the catalogue's content, prepared against a
 * candidate before it replaces the one in force: `commit` once it is in
 * force, `abort` when another step refused it.
 */
export interface ReplacementStep {
  commit(): void;
  abort(): void;
}

/**
 * Prepares for `next` replacing the content in force, or throws to refuse it
 * (the reason is the refusal's message). Returns nothing when there is
 * nothing to do.
 */
export type ReplacementParticipant = (next: Catalogue) => ReplacementStep | undefined;

/**
 * The loaded contracts; every lookup is a map read. One instance is shared by
 * every module for the life of the process; a reload replaces its content in
 * one assignment (replaceWith), after whatever depends on the content (the
 * product sources) has prepared for it. Caches derived from it compare
 * `revision` with the one they were built at.
 */
export class Catalogue {
  private content: Content;
  private changes = 0;
  private readonly participants: ReplacementParticipant[] = [];

  constructor(purposes: readonly Purpose[], contracts: readonly ProductContract[]) {
    this.content = {
      purposes: new Map(purposes.map((purpose) => [purpose.code, purpose])),
      byKey: new Map(contracts.map((contract) => [key(contract.product, contract.version), contract])),
    };
  }

  get purposes(): ReadonlyMap<string, Purpose> {
    return this.content.purposes;
  }

  /** How many times the content was replaced: 0 as loaded at boot. */
  get revision(): number {
    return this.changes;
  }

  /** Asked before every replacement; any of them may refuse it. */
  onReplace(participant: ReplacementParticipant): void {
    this.participants.push(participant);
  }

  /**
   * Takes `next`'s content in place of this one's, or throws (keeping this
   * one) when a participant refuses it. The swap itself is one assignment, so
   * no request sees half of each.
   */
  replaceWith(next: Catalogue): void {
    const steps: ReplacementStep[] = [];
    try {
      for (const participant of this.participants) {
        const step = participant(next);
        if (step !== undefined) steps.push(step);
      }
    } catch (error) {
      for (const step of steps) step.abort();
      throw error;
    }
    this.content = next.content;
    this.changes++;
    for (const step of steps) step.commit();
  }

  get contracts(): ProductContract[] {
    return [...this.content.byKey.values()];
  }

  find(product: string, version: number): ProductContract | undefined {
    return this.content.byKey.get(key(product, version));
  }

  /** The newest version of a product: consents name products, and are checked against what they allow now. */
  latest(product: string): ProductContract | undefined {
    let latest: ProductContract | undefined;
    for (const contract of this.content.byKey.values()) {
      if (contract.product === product && (latest === undefined || contract.version > latest.version))
        latest = contract;
    }
    return latest;
  }

  /** The fields `requester` may receive for `purpose`, or undefined when it may not ask at all. */
  allowedFields(contract: ProductContract, requester: string, purpose: string): readonly string[] | undefined {
    const purposes = contract.access[requester];
    return purposes !== undefined && Object.hasOwn(purposes, purpose) ? purposes[purpose] : undefined;
  }

  /** What `organisation` may request, and nothing about what others may. */
  visibleTo(organisation: string): CatalogueEntry[] {
    const entries: CatalogueEntry[] = [];
    for (const contract of this.content.byKey.values()) {
      const entry = this.entryFor(contract, organisation);
      if (entry !== undefined) entries.push(entry);
    }
    return entries.sort((a, b) => a.product.localeCompare(b.product) || a.version - b.version);
  }

  entryFor(contract: ProductContract, organisation: string): CatalogueEntry | undefined {
    const rules = contract.access[organisation];
    if (rules === undefined) return undefined;
    const purposes = Object.entries(rules).flatMap(([code, fields]) => {
      const purpose = this.content.purposes.get(code);
      return purpose === undefined ? [] : [{ ...purpose, fields: [...fields] }];
    });
    const { product, version, title, owner, classification, retention } = contract;
    return { product, version, title, owner, classification, retention, purposes };
  }
}
