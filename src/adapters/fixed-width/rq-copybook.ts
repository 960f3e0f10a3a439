import type { FixedWidthSettings } from './copybook-layout';

/**
 * `rq`, Revenu Québec: notices of assessment on the mainframe. Amounts are in
 * cents, as the copybook stores them (implied two decimals).
 */
export interface RqAssessmentRecord {
  dossier: string;
  taxYear: number;
  assessmentDate: string; // YYYYMMDD
  totalIncomeCents: number;
  netIncomeCents: number;
  taxableIncomeCents: number;
  /** Negative: a refund. */
  balanceCents: number;
  lines: readonly { line: string; description: string; amountCents: number }[];
}

/**
 * Revenu Québec's notice of assessment as its mainframe lays it out. The
 * contract `schemas/products/revenu.avis-cotisation` carries the same layout
 * as JSON; this constant is what the simulator encodes and the tests decode.
 *
 *   01 AVIS-COTISATION.                                    cp037, transaction AVIS
 *      05 AC-NO-DOSSIER        PIC X(9).                   offset   0, 9 bytes
 *      05 AC-ANNEE             PIC 9(4).                   offset   9, 4 bytes
 *      05 AC-DATE-AVIS         PIC 9(8).                   offset  13, 8 bytes, YYYYMMDD
 *      05 AC-REVENU-TOTAL      PIC S9(9)V99 COMP-3.        offset  21, 6 bytes
 *      05 AC-REVENU-NET        PIC S9(9)V99 COMP-3.        offset  27, 6 bytes
 *      05 AC-REVENU-IMPOSABLE  PIC 9(9)V99.                offset  33, 11 bytes
 *      05 AC-SOLDE             PIC S9(7)V99.               offset  44, 9 bytes, negative = refund
 *      05 AC-NB-LIGNES         PIC 9(2).                   offset  53, 2 bytes
 *      05 AC-LIGNE OCCURS 5 TIMES.                         offset  55, 5 x 40 bytes
 *         10 AC-LIGNE-NO       PIC X(5).                   entry offset  0
 *         10 AC-LIGNE-DESC     PIC X(30).                  entry offset  5
 *         10 AC-LIGNE-MONTANT  PIC S9(7)V99 COMP-3.        entry offset 35, 5 bytes
 *                                                          record length 255
 *
 * AC-NB-LIGNES says how many AC-LIGNE entries are in use; the others hold
 * whatever the last program left there, so they are not decoded.
 */
export const RQ_AVIS_COPYBOOK: FixedWidthSettings = {
  encoding: 'cp037',
  transaction: 'AVIS',
  recordLength: 255,
  fields: [
    { name: 'AC-NO-DOSSIER', offset: 0, length: 9, type: 'alphanumeric' },
    { name: 'AC-ANNEE', offset: 9, length: 4, type: 'zoned' },
    { name: 'AC-DATE-AVIS', offset: 13, length: 8, type: 'zoned' },
    { name: 'AC-REVENU-TOTAL', offset: 21, length: 6, type: 'packed', scale: 2, signed: true },
    { name: 'AC-REVENU-NET', offset: 27, length: 6, type: 'packed', scale: 2, signed: true },
    { name: 'AC-REVENU-IMPOSABLE', offset: 33, length: 11, type: 'zoned', scale: 2 },
    { name: 'AC-SOLDE', offset: 44, length: 9, type: 'zoned', scale: 2, signed: true },
    { name: 'AC-NB-LIGNES', offset: 53, length: 2, type: 'zoned' },
  ],
  groups: [
    {
      name: 'AC-LIGNE',
      offset: 55,
      occurs: 5,
      size: 40,
      countField: 'AC-NB-LIGNES',
      fields: [
        { name: 'AC-LIGNE-NO', offset: 0, length: 5, type: 'alphanumeric' },
        { name: 'AC-LIGNE-DESC', offset: 5, length: 30, type: 'alphanumeric' },
        { name: 'AC-LIGNE-MONTANT', offset: 35, length: 5, type: 'packed', scale: 2, signed: true },
      ],
    },
  ],
};

/**
 * The values encodeRecord takes for a demo record. The demo data keeps cents;
 * the copybook's V99 fields decode to amounts with two decimals, so cents / 100
 * (exact: see the note on numbers in copybook.ts).
 */
export function rqAssessmentValues(record: RqAssessmentRecord): Record<string, unknown> {
  return {
    'AC-NO-DOSSIER': record.dossier,
    'AC-ANNEE': record.taxYear,
    'AC-DATE-AVIS': Number(record.assessmentDate),
    'AC-REVENU-TOTAL': record.totalIncomeCents / 100,
    'AC-REVENU-NET': record.netIncomeCents / 100,
    'AC-REVENU-IMPOSABLE': record.taxableIncomeCents / 100,
    'AC-SOLDE': record.balanceCents / 100,
    'AC-NB-LIGNES': record.lines.length,
    'AC-LIGNE': record.lines.map((line) => ({
      'AC-LIGNE-NO': line.line,
      'AC-LIGNE-DESC': line.description,
      'AC-LIGNE-MONTANT': line.amountCents / 100,
    })),
  };
}
