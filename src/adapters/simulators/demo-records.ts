import type { RqAssessmentRecord } from '../fixed-width/rq-copybook';
/**
 * The demo world's citizens as each legacy source knows them, in the
 * source's own shape and under the source's own local id. The link seed maps
 * the pivot ids `demo-citizen-1..5` to these local ids. `demo-citizen-5` is
 * linked at `rq` but has no record there.
 */

export interface DemoCitizen {
  pivotId: string;
  localIds: { dec: string; rq: string; saaq: string; ramq: string };
}

export const DEMO_CITIZENS: readonly DemoCitizen[] = [
  {
    pivotId: 'demo-citizen-1',
    localIds: { dec: '1999-0314-QC-004521', rq: '100000001', saaq: 'T6512-140399-01', ramq: 'TREE99531401' },
  },
  {
    pivotId: 'demo-citizen-2',
    localIds: { dec: '1962-1102-QC-118734', rq: '100000002', saaq: 'G2541-021162-07', ramq: 'GAGJ62110218' },
  },
  {
    pivotId: 'demo-citizen-3',
    localIds: { dec: '2001-0722-QC-230117', rq: '100000003', saaq: 'R3004-220701-02', ramq: 'ROYA01572214' },
  },
  {
    pivotId: 'demo-citizen-4',
    localIds: { dec: '1958-0530-QC-070342', rq: '100000004', saaq: 'C3010-300558-05', ramq: 'COTM58053011' },
  },
  {
    pivotId: 'demo-citizen-5',
    localIds: { dec: '1995-1209-QC-198805', rq: '100000005', saaq: 'B2316-091295-04', ramq: 'BOUS95620917' },
  },
];

/** `dec`, Directeur de l'état civil: birth records served by the SOAP service. */
export interface DecBirthRecord {
  NumeroInscription: string;
  NomFamille: string;
  Prenoms: string;
  DateNaissance: string; // YYYY-MM-DD
  LieuNaissance: string;
  Sexe: 'F' | 'M' | 'X';
}

export const DEC_RECORDS: readonly DecBirthRecord[] = [
  {
    NumeroInscription: '1999-0314-QC-004521',
    NomFamille: 'Tremblay',
    Prenoms: 'Émilie Rose',
    DateNaissance: '1999-03-14',
    LieuNaissance: 'Québec',
    Sexe: 'F',
  },
  {
    NumeroInscription: '1962-1102-QC-118734',
    NomFamille: 'Gagnon',
    Prenoms: 'Jean-François',
    DateNaissance: '1962-11-02',
    LieuNaissance: 'Montréal',
    Sexe: 'M',
  },
  {
    NumeroInscription: '2001-0722-QC-230117',
    NomFamille: 'Roy',
    Prenoms: 'Amélie',
    DateNaissance: '2001-07-22',
    LieuNaissance: 'Sherbrooke',
    Sexe: 'F',
  },
  {
    NumeroInscription: '1958-0530-QC-070342',
    NomFamille: 'Côté',
    Prenoms: 'Marc André',
    DateNaissance: '1958-05-30',
    LieuNaissance: 'Trois-Rivières',
    Sexe: 'M',
  },
  {
    NumeroInscription: '1995-1209-QC-198805',
    NomFamille: 'Bouchard',
    Prenoms: 'Sophie',
    DateNaissance: '1995-12-09',
    LieuNaissance: 'Gatineau',
    Sexe: 'X',
  },
];

/** `rq`, Revenu Québec: notices of assessment on the mainframe, amounts in cents as the copybook stores them. */
export const RQ_RECORDS: readonly RqAssessmentRecord[] = [
  {
    dossier: '100000001',
    taxYear: 2025,
    assessmentDate: '20260418',
    totalIncomeCents: 1_845_000,
    netIncomeCents: 1_790_050,
    taxableIncomeCents: 1_790_050,
    balanceCents: -42_317,
    lines: [
      { line: '101', description: 'Revenus d emploi', amountCents: 1_745_000 },
      { line: '130', description: 'Bourses d etudes', amountCents: 100_000 },
      { line: '214', description: 'Cotisation REER', amountCents: -54_950 },
    ],
  },
  {
    dossier: '100000002',
    taxYear: 2025,
    assessmentDate: '20260502',
    totalIncomeCents: 6_210_000,
    netIncomeCents: 5_877_500,
    taxableIncomeCents: 5_800_000,
    balanceCents: 125_080,
    lines: [
      { line: '101', description: 'Revenus d emploi', amountCents: 6_010_000 },
      { line: '128', description: 'Dividendes', amountCents: 200_000 },
    ],
  },
  {
    dossier: '100000003',
    taxYear: 2025,
    assessmentDate: '20260320',
    totalIncomeCents: 945_075,
    netIncomeCents: 945_075,
    taxableIncomeCents: 945_075,
    balanceCents: -18_842,
    lines: [{ line: '101', description: 'Revenus d emploi', amountCents: 945_075 }],
  },
  {
    dossier: '100000004',
    taxYear: 2025,
    assessmentDate: '20260611',
    totalIncomeCents: 3_402_500,
    netIncomeCents: 3_402_500,
    taxableIncomeCents: 3_300_000,
    balanceCents: 0,
    lines: [
      { line: '119', description: 'Prestations RRQ', amountCents: 1_502_500 },
      { line: '122', description: 'Revenus de retraite', amountCents: 1_900_000 },
    ],
  },
];

/** `saaq`: current postal addresses from the REST API (its JSON shape). */
export interface SaaqAddressRecord {
  numeroPermis: string;
  adresse: { numeroCivique: string; rue: string; appartement: string | null };
  municipalite: string;
  province: string;
  codePostal: string;
  depuis: string; // YYYY-MM-DD
}

export const SAAQ_RECORDS: readonly SaaqAddressRecord[] = [
  {
    numeroPermis: 'T6512-140399-01',
    adresse: { numeroCivique: '1250', rue: 'avenue des Érables', appartement: '4' },
    municipalite: 'Québec',
    province: 'QC',
    codePostal: 'G1R 2N7',
    depuis: '2023-07-01',
  },
  {
    numeroPermis: 'G2541-021162-07',
    adresse: { numeroCivique: '8421', rue: 'rue Saint-Denis', appartement: null },
    municipalite: 'Montréal',
    province: 'QC',
    codePostal: 'H2P 2H3',
    depuis: '2011-05-15',
  },
  {
    numeroPermis: 'R3004-220701-02',
    adresse: { numeroCivique: '305', rue: 'rue King Ouest', appartement: '12' },
    municipalite: 'Sherbrooke',
    province: 'QC',
    codePostal: 'J1H 1R2',
    depuis: '2024-09-01',
  },
  {
    numeroPermis: 'C3010-300558-05',
    adresse: { numeroCivique: '77', rue: 'rue des Forges', appartement: null },
    municipalite: 'Trois-Rivières',
    province: 'QC',
    codePostal: 'G9A 2G4',
    depuis: '1994-03-01',
  },
  {
    numeroPermis: 'B2316-091295-04',
    adresse: { numeroCivique: '160', rue: 'boulevard de l Hôpital', appartement: '801' },
    municipalite: 'Gatineau',
    province: 'QC',
    codePostal: 'J8T 8J1',
    depuis: '2020-02-15',
  },
];

/** `ramq`: health-insurance eligibility rows in its own database schema. */
export interface RamqEligibilityRow {
  NO_ASSURANCE_MALADIE: string;
  CD_STATUT: 'A' | 'S' | 'F'; // admissible, suspendu, fermé
  DT_DEBUT_COUVERTURE: string; // YYYY-MM-DD
  DT_FIN_COUVERTURE: string | null;
  DT_EXPIRATION_CARTE: string;
}

export const RAMQ_ROWS: readonly RamqEligibilityRow[] = [
  {
    NO_ASSURANCE_MALADIE: 'TREE99531401',
    CD_STATUT: 'A',
    DT_DEBUT_COUVERTURE: '1999-03-14',
    DT_FIN_COUVERTURE: null,
    DT_EXPIRATION_CARTE: '2029-03-31',
  },
  {
    NO_ASSURANCE_MALADIE: 'GAGJ62110218',
    CD_STATUT: 'A',
    DT_DEBUT_COUVERTURE: '1962-11-02',
    DT_FIN_COUVERTURE: null,
    DT_EXPIRATION_CARTE: '2027-11-30',
  },
  {
    NO_ASSURANCE_MALADIE: 'ROYA01572214',
    CD_STATUT: 'S',
    DT_DEBUT_COUVERTURE: '2001-07-22',
    DT_FIN_COUVERTURE: '2025-12-31',
    DT_EXPIRATION_CARTE: '2026-07-31',
  },
  {
    NO_ASSURANCE_MALADIE: 'COTM58053011',
    CD_STATUT: 'A',
    DT_DEBUT_COUVERTURE: '1958-05-30',
    DT_FIN_COUVERTURE: null,
    DT_EXPIRATION_CARTE: '2028-05-31',
  },
  {
    NO_ASSURANCE_MALADIE: 'BOUS95620917',
    CD_STATUT: 'A',
    DT_DEBUT_COUVERTURE: '1995-12-09',
    DT_FIN_COUVERTURE: null,
    DT_EXPIRATION_CARTE: '2030-12-31',
  },
];
