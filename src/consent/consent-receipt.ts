import { SignJWT } from 'jose';
import { SIGNING_ALGORITHM, type SigningKey } from '../platform/signing/signing-key';
import type { ConsentRecord } from './consent';

/** What a receipt names besides the record: who owns each product, and the purpose's words. */
export interface ReceiptContext {
  issuer: string;
  ownerOf(product: string): string | undefined;
  purposeTitle(purpose: string): string | undefined;
  legalReference(purpose: string): string | undefined;
}

export const RECEIPT_MEDIA_TYPE = 'application/jose';

/**
 * The claims of a consent receipt. The names follow the Kantara Consent
 * Receipt Specification 1.1 (the basis of ISO/IEC TS 27560) where they fit;
 * `consent` carries the record's lifecycle. Pure.
 */
export function receiptClaims(record: ConsentRecord, context: ReceiptContext): Record<string, unknown> {
  const termination = record.validUntil.toISOString();
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'CA-QC',
    consentTimestamp: Math.floor(record.createdAt.getTime() / 1000),
    collectionMethod: record.requestId === null ? 'citizen-portal' : 'agency-request-approved-by-citizen',
    consentReceiptID: record.id,
    language: 'fr',
    piiPrincipalId: record.citizen,
    piiControllers: [{ piiController: record.requester, onBehalf: false }],
    services: record.products.map(({ product, fields }) => ({
      service: product,
      purposes: [
        {
          purpose: record.purpose,
          purposeCategory: [context.purposeTitle(record.purpose) ?? record.purpose],
          legalReference: context.legalReference(record.purpose),
          consentType: 'EXPLICIT',
          piiCategory: fields ?? ['*'],
          primaryPurpose: true,
          termination,
          thirdPartyDisclosure: true,
          thirdPartyName: context.ownerOf(product),
        },
      ],
    })),
    sensitive: true,
    consent: {
      status: record.status,
      mode: record.mode,
      ...(record.keepUpToDate ? { keep_up_to_date: true } : {}),
      validFrom: record.validFrom.toISOString(),
      validUntil: termination,
      decidedAt: record.decidedAt?.toISOString() ?? null,
      revokedAt: record.revokedAt?.toISOString() ?? null,
      revokedBy: record.revokedBy,
      predecessorId: record.predecessorId,
      requestId: record.requestId,
    },
  };
}

/** The receipt as a compact JWS by the gateway's key; it verifies against /.well-known/jwks.json. */
export function signReceipt(record: ConsentRecord, context: ReceiptContext, key: SigningKey): Promise<string> {
  return new SignJWT(receiptClaims(record, context))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(context.issuer)
    .setSubject(record.citizen)
    .setJti(record.id)
    .setIssuedAt(Math.floor(record.createdAt.getTime() / 1000))
    .sign(key.privateKey);
}
