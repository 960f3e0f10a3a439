import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { AuditLog } from '../audit/audit-log';
import { Catalogue } from '../contracts/catalogue';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import { CitizenNames } from '../identity/citizen-names.service';
import { DomainError } from '../platform/errors/domain-error';
import { parseChanges } from './change-request';
import { ChangeRepository, type ChangeRow } from './change.repository';
import { FanOutJob } from './fan-out.job';

export interface ReportAnswer {
  status: 202;
  body: { changeId: string } | { changeIds: string[] };
  replayed: boolean;
}

class KeyTaken extends Error {}

/**
 * Owners report changes to their products. A change is recorded once per
 * (product, citizen, changedAt), the answer is 202 as soon as it is, and the
 * fan-out to the subscribers runs after, in the database. A citizen the
 * owner's identifier does not name is answered like any other (the owner must
 * not learn who has subscribers) and told to nobody.
 */
@Injectable()
export class ChangesService {
  constructor(
    private readonly changes: ChangeRepository,
    private readonly catalogue: Catalogue,
    private readonly names: CitizenNames,
    private readonly audit: AuditLog,
    private readonly fanOut: FanOutJob,
  ) {}

  async report(
    caller: AgencyIdentity,
    body: unknown,
    idempotencyKey: string | undefined,
    correlationId: string,
    now = new Date(),
  ): Promise<ReportAnswer> {
    const { batch, changes } = parseChanges(body, now);
    const requestHash = createHash('sha256')
      .update(canonicalize(body) ?? '')
      .digest('hex');
    if (idempotencyKey !== undefined) {
      const replay = await this.replay(caller.organisation, idempotencyKey, requestHash, batch);
      if (replay !== undefined) return replay;
    }
    // Only the product's owner may report; one product it does not own refuses the whole call.
    const foreign = changes.findIndex((c) => this.catalogue.latest(c.product)?.owner !== caller.organisation);
    if (foreign >= 0) {
      throw new DomainError('forbidden', 'Only the owner of a product may report changes to it', {
        extensions: {
          errors: [{ pointer: batch ? `/changes/${foreign}/product` : '/product', message: 'is not yours' }],
        },
      });
    }
    const rows: (ChangeRow | undefined)[] = [];
    const unnamed: number[] = [];
    const seen = new Map<string, ChangeRow>();
    changes.forEach((change, index) => {
      const pivot = this.names.pivotOf(caller, change.citizen);
      if (pivot === undefined) {
        unnamed.push(index);
        rows.push(undefined);
        return;
      }
      // The same change twice in one call is one change.
      const key = `${change.product}\n${pivot}\n${change.changedAt.toISOString()}`;
      const row = seen.get(key) ?? {
        id: randomUUID(),
        product: change.product,
        citizen: pivot,
        changedAt: change.changedAt,
      };
      seen.set(key, row);
      rows.push(row);
    });
    const ids = await this.record(caller.organisation, rows, idempotencyKey, requestHash, unnamed, correlationId);
    if (ids === undefined) {
      const replay = await this.replay(caller.organisation, idempotencyKey as string, requestHash, batch);
      if (replay !== undefined) return replay;
      throw new DomainError('idempotency-key-reused');
    }
    this.fanOut.poke();
    return { status: 202, body: batch ? { changeIds: ids } : { changeId: ids[0] }, replayed: false };
  }

  /** Records the named changes (and the batch's answer), audits the unnamed; undefined when the key was taken meanwhile. */
  private async record(
    reportedBy: string,
    rows: (ChangeRow | undefined)[],
    key: string | undefined,
    requestHash: string,
    unnamed: number[],
    correlationId: string,
  ): Promise<string[] | undefined> {
    const named = [...new Set(rows.filter((r): r is ChangeRow => r !== undefined))];
    try {
      return await this.changes.sql.transaction(async (tx) => {
        const recorded = await this.changes.record(tx, reportedBy, named);
        const idOf = new Map(named.map((row, i) => [row, recorded[i]]));
        // An unnamed citizen gets an id like any other, which names no record.
        const ids = rows.map((row) => (row === undefined ? randomUUID() : (idOf.get(row) as string)));
        if (unnamed.length > 0) {
          // Committed before the answer: the officers see what the owner sent, and to whom it went (nobody).
          await Promise.all(
            unnamed.map((index) =>
              this.audit.append({
                kind: 'change.reported',
                organisation: reportedBy,
                decision: 'deny',
                reason: 'unknown-identifier',
                correlationId,
                details: { changeId: ids[index], notified: 0 },
              }),
            ),
          );
        }
        if (key !== undefined && !(await this.changes.saveBatch(tx, reportedBy, key, requestHash, ids))) {
          throw new KeyTaken();
        }
        return ids;
      });
    } catch (error) {
      if (error instanceof KeyTaken) return undefined;
      throw error;
    }
  }

  private async replay(
    reportedBy: string,
    key: string,
    requestHash: string,
    batch: boolean,
  ): Promise<ReportAnswer | undefined> {
    const stored = await this.changes.findBatch(reportedBy, key);
    if (stored === undefined) return undefined;
    if (stored.requestHash !== requestHash) throw new DomainError('idempotency-key-reused');
    return {
      status: 202,
      body: batch ? { changeIds: stored.changeIds } : { changeId: stored.changeIds[0] },
      replayed: true,
    };
  }
}
