import { Injectable } from '@nestjs/common';
import { ProductSourceService } from '../adapters/product-source.service';
import type { AuditEntry } from '../audit/audit-chain';
import { AuditLog } from '../audit/audit-log';
import type { AccessKind } from '../audit/audit-query.repository';
import { ConsentRequestService, type ConsentRequestView } from '../consent/consent-request.service';
import { Catalogue, type LocalisedTitle, type ProductContract } from '../contracts/catalogue';
import { DomainError } from '../platform/errors/domain-error';
import { isUuid } from '../platform/ids';
import { fetchFailureOf, type FetchFailure } from './fetch-failure';
import { planPreview, wouldReceive, type PreviewItem } from './preview-plan';
import { fieldShapes, type ValueShape } from './value-shape';

/**
 * The audit kinds of a citizen looking at their own data: an intent before
 * the source is called, an outcome after. The outcomes are in the citizen's
 * access log (its reader, the audit context, owns their names).
 */
export const VIEW_INTENT = 'citizen.view.intent';
export const VIEW_OUTCOME: AccessKind = 'citizen.view';
export const PREVIEW_INTENT = 'citizen.preview.intent';
export const PREVIEW_OUTCOME: AccessKind = 'citizen.preview';

/** A product a citizen may look at, in the words of its contract. */
export interface ViewableProduct {
  product: string;
  version: number;
  title: LocalisedTitle;
  /** The organisation that holds it (its source is that organisation's system). */
  owner: string;
}

/** One field of the product, labelled by its contract; `value` is absent when the source's record has none. */
export interface ShownField {
  name: string;
  label: LocalisedTitle;
  shape: ValueShape;
  value?: unknown;
}

/** The data, or why there is none to show. */
export type ProductData = { status: 'shown'; fields: ShownField[] } | { status: FetchFailure };

export interface ProductView extends ViewableProduct {
  data: ProductData;
}

/** One product of a request's preview: what its requester would receive, or that it would receive nothing. */
export interface PreviewProduct {
  product: string;
  /** Null when the product is no longer catalogued. */
  title: LocalisedTitle | null;
  owner: string | null;
  data: ProductData | { status: 'not-sent' };
}

export interface RequestPreview {
  requestId: string;
  requester: string;
  purpose: string;
  products: PreviewProduct[];
}

type Fetched =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; code: string; failure: FetchFailure | undefined; error: unknown };

/**
 * "My information": a citizen reads their own data products, fetched from
 * the owning organisations' sources through the same adapters and contracts
 * as an exchange, and sees exactly what an organisation's pending request
 * would give it. Each fetch is audited as the exchange is, intent first and
 * outcome before anything is shown: if either record cannot be committed,
 * nothing is shown (503 `audit-unavailable`).
 */
@Injectable()
export class MyDataService {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly sources: ProductSourceService,
    private readonly audit: AuditLog,
    private readonly requests: ConsentRequestService,
  ) {}

  /** Every catalogued product, newest version: each has a source (the gateway does not start otherwise). */
  products(): ViewableProduct[] {
    const products = new Set(this.catalogue.contracts.map((contract) => contract.product));
    return [...products]
      .flatMap((product) => {
        const contract = this.catalogue.latest(product);
        return contract === undefined ? [] : [viewableOf(contract)];
      })
      .sort((a, b) => a.product.localeCompare(b.product));
  }

  /** The citizen's own record of `product`, every field of the contract, labelled. */
  async view(citizen: string, product: string, correlationId: string): Promise<ProductView> {
    const contract = this.catalogue.latest(product);
    if (contract === undefined) throw new DomainError('not-found');
    const base: AuditEntry = {
      kind: VIEW_OUTCOME,
      organisation: contract.owner,
      citizen,
      product: contract.product,
      correlationId,
    };
    const version = contract.version;
    await this.audit.append({ ...base, kind: VIEW_INTENT, details: { version } });
    const fetched = await this.fetch(contract, citizen, correlationId);
    if (!fetched.ok) {
      await this.audit.append({ ...base, decision: 'error', reason: fetched.code, details: { version } });
      return { ...viewableOf(contract), data: failed(fetched) };
    }
    await this.audit.append({
      ...base,
      decision: 'allow',
      details: { version, fields: Object.keys(fetched.data) },
    });
    const shapes = fieldShapes(contract.dataSchema);
    const fields = Object.entries(contract.fields).map(([name, label]): ShownField => {
      const shape = shapes[name] ?? { kind: 'text' };
      return Object.hasOwn(fetched.data, name)
        ? { name, label, shape, value: fetched.data[name] }
        : { name, label, shape };
    });
    return { ...viewableOf(contract), data: { status: 'shown', fields } };
  }

  /**
   * For a pending request of this citizen (any other id, the citizen's
   * decided ones included, is not found), what its requester would receive
   * of each product: the source's data cut by the exchange's minimisation.
   */
  async preview(citizen: string, requestId: string, correlationId: string): Promise<RequestPreview> {
    const request = isUuid(requestId)
      ? (await this.requests.listForCitizen(citizen)).find((r) => r.id === requestId)
      : undefined;
    if (request === undefined || request.status !== 'pending') throw new DomainError('not-found');
    const plan = planPreview(request, this.catalogue);
    const products = await Promise.all(plan.map((item) => this.previewProduct(citizen, request, item, correlationId)));
    return { requestId: request.id, requester: request.requester, purpose: request.purpose, products };
  }

  private async previewProduct(
    citizen: string,
    request: ConsentRequestView,
    item: PreviewItem<ProductContract>,
    correlationId: string,
  ): Promise<PreviewProduct> {
    if (!item.send) {
      const contract = this.catalogue.latest(item.product);
      return {
        product: item.product,
        title: contract?.title ?? null,
        owner: contract?.owner ?? null,
        data: { status: 'not-sent' },
      };
    }
    const { contract } = item;
    const shown = { product: contract.product, title: contract.title, owner: contract.owner };
    // The record names the organisation the data would go to; the source it came from is in the details.
    const base: AuditEntry = {
      kind: PREVIEW_OUTCOME,
      organisation: request.requester,
      citizen,
      product: contract.product,
      purpose: request.purpose,
      correlationId,
    };
    const details = { requestId: request.id, source: contract.owner, version: contract.version };
    await this.audit.append({ ...base, kind: PREVIEW_INTENT, details });
    const fetched = await this.fetch(contract, citizen, correlationId);
    if (!fetched.ok) {
      await this.audit.append({ ...base, decision: 'error', reason: fetched.code, details });
      return { ...shown, data: failed(fetched) };
    }
    const received = wouldReceive(fetched.data, item);
    await this.audit.append({ ...base, decision: 'allow', details: { ...details, fields: Object.keys(received) } });
    const shapes = fieldShapes(contract.dataSchema);
    // In the contract's order, as the citizen reads the product elsewhere.
    const fields = Object.entries(contract.fields)
      .filter(([name]) => Object.hasOwn(received, name))
      .map(
        ([name, label]): ShownField => ({
          name,
          label,
          shape: shapes[name] ?? { kind: 'text' },
          value: received[name],
        }),
      );
    return { ...shown, data: { status: 'shown', fields } };
  }

  /** Fetches through the product's adapter, held to its schema; a failure is returned with its code. */
  private async fetch(contract: ProductContract, citizen: string, correlationId: string): Promise<Fetched> {
    try {
      return { ok: true, data: await this.sources.fetchProduct(contract, citizen, correlationId) };
    } catch (error) {
      if (!(error instanceof DomainError)) return { ok: false, code: 'internal-error', failure: undefined, error };
      const { code } = error as DomainError;
      return { ok: false, code, failure: fetchFailureOf(code), error };
    }
  }
}

function viewableOf(contract: ProductContract): ViewableProduct {
  return { product: contract.product, version: contract.version, title: contract.title, owner: contract.owner };
}

/** What the citizen is shown of a failed fetch, once its outcome is recorded; anything not the source's fails the page. */
function failed(fetched: Extract<Fetched, { ok: false }>): ProductData {
  if (fetched.failure === undefined) throw fetched.error;
  return { status: fetched.failure };
}
