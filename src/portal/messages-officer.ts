/** The privacy officer's pages: names for every code the audit log holds, which stay visible in the details. */
export interface OfficerMessages {
  title: string;
  citizen: string;
  citizenHint: string;
  organisation: string;
  product: string;
  purpose: string;
  decision: string;
  from: string;
  to: string;
  any: string;
  search: string;
  exportCsv: string;
  none: string;
  seq: string;
  when: string;
  kind: string;
  reason: string;
  basis: string;
  basisNames: Record<'consent' | 'statute', string>;
  delayedUntil: (date: string) => string;
  next: string;
  results: (count: number) => string;
  eventTitle: (seq: number) => string;
  back: string;
  /** What happened, by audit kind. */
  kinds: Record<string, string>;
  /** Why, by the gateway's reason code. */
  reasons: Record<string, string>;
  /** The event page: its fields in words, and the codes as recorded. */
  event: {
    summary: string;
    caseRef: string;
    legalReference: string;
    fields: string;
    correlationId: string;
    citizen: string;
    codes: string;
    codesHint: string;
    name: string;
    value: string;
  };
  integrity: {
    title: string;
    ok: string;
    broken: (seq: number, reason: string) => string;
    verified: string;
    head: string;
    checkpoints: string;
    lastCheckpoint: string;
    noCheckpoint: string;
    seconds: string;
  };
}

export const OFFICER_FR: OfficerMessages = {
  title: 'Journal d’audit',
  citizen: 'Citoyen',
  citizenHint: 'Son identifiant pivot, tel que l’affiche le dossier du citoyen.',
  organisation: 'Organisme',
  product: 'Renseignements',
  purpose: 'Raison',
  decision: 'Décision',
  from: 'Depuis (date et heure du Québec)',
  to: 'Jusqu’à (date et heure du Québec)',
  any: 'Toutes',
  search: 'Rechercher',
  exportCsv: 'Exporter en CSV (avec les codes)',
  none: 'Aucun événement ne correspond.',
  seq: 'N°',
  when: 'Date',
  kind: 'Événement',
  reason: 'Motif',
  basis: 'Fondement',
  basisNames: { consent: 'Autorisation du citoyen', statute: 'Loi' },
  delayedUntil: (date) => `Montré au citoyen à partir du ${date}`,
  next: 'Page suivante',
  results: (count) => `${count} événement${count > 1 ? 's' : ''} sur cette page`,
  eventTitle: (seq) => `Événement n° ${seq}`,
  back: 'Retour à la recherche',
  kinds: {
    'exchange.intent': 'Demande d’un organisme (avant l’appel à la source)',
    'exchange.outcome': 'Résultat d’une demande d’un organisme',
    'consent.active': 'Autorisation donnée',
    'consent.revoked': 'Autorisation retirée',
    'consent.expired': 'Autorisation terminée',
    'consent.refused': 'Demande d’autorisation refusée',
    'consent-request.refused': 'Demande d’autorisation refusée',
    'change.reported': 'Changement signalé par un organisme source',
    'change.notified': 'Organisme avisé d’un changement',
    'officer.query': 'Consultation du journal par un responsable',
    'citizen.view.intent': 'Consultation de ses renseignements par le citoyen (avant l’appel à la source)',
    'citizen.view': 'Consultation de ses renseignements par le citoyen',
    'citizen.preview.intent': 'Aperçu par le citoyen (avant l’appel à la source)',
    'citizen.preview': 'Aperçu par le citoyen de ce qui serait transmis',
  },
  reasons: {
    'no-consent': 'Aucune autorisation du citoyen',
    'other-purpose': 'Autorisation donnée pour une autre raison',
    'other-organisation': 'Autorisation donnée à un autre organisme',
    'other-product': 'Autorisation donnée pour d’autres renseignements',
    'not-yet-valid': 'Autorisation pas encore en vigueur',
    expired: 'Autorisation terminée',
    revoked: 'Autorisation retirée',
    refused: 'Demande refusée par le citoyen',
    'other-citizen': 'Autorisation d’un autre citoyen',
    'statute-not-yet-in-force': 'Loi pas encore en vigueur',
    'statute-no-longer-in-force': 'Loi plus en vigueur',
    'case-ref-missing': 'Numéro de dossier manquant',
    'unknown-product': 'Renseignements inconnus',
    'unknown-version': 'Version du contrat inconnue',
    'product-not-granted': 'Renseignements non prévus à l’entente',
    'unknown-purpose': 'Raison inconnue',
    'purpose-not-granted': 'Raison non prévue à l’entente',
    'pivot-identifier': 'Identifiant pivot envoyé au lieu de l’identifiant du secteur',
    'other-sector-identifier': 'Identifiant d’un autre secteur',
    'unknown-identifier': 'Identifiant inconnu',
    'source-unavailable': 'Système source indisponible',
    'source-timeout': 'Système source trop lent',
    'source-error': 'Erreur du système source',
    'source-contract-violation': 'Données de la source non conformes au contrat',
    'source-record-not-found': 'Citoyen inconnu de la source',
    'product-not-found': 'Renseignements introuvables',
  },
  event: {
    summary: 'Ce qui s’est passé',
    caseRef: 'Dossier de l’organisme',
    legalReference: 'Loi invoquée',
    fields: 'Renseignements transmis',
    correlationId: 'Numéro de corrélation',
    citizen: 'Citoyen (pseudonyme du journal)',
    codes: 'Codes enregistrés',
    codesHint: 'L’événement tel qu’il est enregistré et signé dans le journal, avec ses codes.',
    name: 'Champ',
    value: 'Valeur',
  },
  integrity: {
    title: 'Intégrité du journal',
    ok: 'Le journal est intact : la chaîne et les points de contrôle signés concordent.',
    broken: (seq, reason) => `Le journal est altéré à partir de l’événement n° ${seq} : ${reason}.`,
    verified: 'Événements vérifiés',
    head: 'Dernier événement',
    checkpoints: 'Points de contrôle signés',
    lastCheckpoint: 'Dernier point de contrôle',
    noCheckpoint: 'Aucun point de contrôle pour l’instant.',
    seconds: 'Durée de la vérification (secondes)',
  },
};

export const OFFICER_EN: OfficerMessages = {
  title: 'Audit log',
  citizen: 'Citizen',
  citizenHint: 'Their pivot identifier, as the citizen’s file shows it.',
  organisation: 'Public body',
  product: 'Information',
  purpose: 'Reason',
  decision: 'Decision',
  from: 'From (Québec date and time)',
  to: 'Until (Québec date and time)',
  any: 'All',
  search: 'Search',
  exportCsv: 'Export as CSV (with the codes)',
  none: 'No event matches.',
  seq: 'No.',
  when: 'Date',
  kind: 'Event',
  reason: 'Reason given',
  basis: 'Basis',
  basisNames: { consent: 'Citizen’s permission', statute: 'Law' },
  delayedUntil: (date) => `Shown to the citizen from ${date}`,
  next: 'Next page',
  results: (count) => `${count} event${count > 1 ? 's' : ''} on this page`,
  eventTitle: (seq) => `Event no. ${seq}`,
  back: 'Back to the search',
  kinds: {
    'exchange.intent': 'Request by a public body (before the source is called)',
    'exchange.outcome': 'Outcome of a request by a public body',
    'consent.active': 'Permission given',
    'consent.revoked': 'Permission withdrawn',
    'consent.expired': 'Permission ended',
    'consent.refused': 'Permission request refused',
    'consent-request.refused': 'Permission request refused',
    'change.reported': 'Change reported by a source public body',
    'change.notified': 'Public body told of a change',
    'officer.query': 'Log read by a privacy officer',
    'citizen.view.intent': 'Citizen viewing their own information (before the source is called)',
    'citizen.view': 'Citizen viewed their own information',
    'citizen.preview.intent': 'Citizen previewing (before the source is called)',
    'citizen.preview': 'Citizen previewed what would be sent',
  },
  reasons: {
    'no-consent': 'No permission from the citizen',
    'other-purpose': 'Permission given for another reason',
    'other-organisation': 'Permission given to another public body',
    'other-product': 'Permission given for other information',
    'not-yet-valid': 'Permission not yet in effect',
    expired: 'Permission ended',
    revoked: 'Permission withdrawn',
    refused: 'Request refused by the citizen',
    'other-citizen': 'Another citizen’s permission',
    'statute-not-yet-in-force': 'Law not yet in force',
    'statute-no-longer-in-force': 'Law no longer in force',
    'case-ref-missing': 'File number missing',
    'unknown-product': 'Unknown information',
    'unknown-version': 'Unknown contract version',
    'product-not-granted': 'Information not in the agreement',
    'unknown-purpose': 'Unknown reason',
    'purpose-not-granted': 'Reason not in the agreement',
    'pivot-identifier': 'Pivot identifier sent instead of the sector’s identifier',
    'other-sector-identifier': 'Another sector’s identifier',
    'unknown-identifier': 'Unknown identifier',
    'source-unavailable': 'Source system unavailable',
    'source-timeout': 'Source system too slow',
    'source-error': 'Source system error',
    'source-contract-violation': 'Source data does not meet the contract',
    'source-record-not-found': 'Citizen unknown to the source',
    'product-not-found': 'Information not found',
  },
  event: {
    summary: 'What happened',
    caseRef: 'Public body’s file',
    legalReference: 'Law relied on',
    fields: 'Information sent',
    correlationId: 'Correlation number',
    citizen: 'Citizen (log pseudonym)',
    codes: 'Recorded codes',
    codesHint: 'The event as it is recorded and signed in the log, with its codes.',
    name: 'Field',
    value: 'Value',
  },
  integrity: {
    title: 'Log integrity',
    ok: 'The log is intact: the chain and the signed checkpoints agree.',
    broken: (seq, reason) => `The log is altered from event no. ${seq}: ${reason}.`,
    verified: 'Events verified',
    head: 'Latest event',
    checkpoints: 'Signed checkpoints',
    lastCheckpoint: 'Latest checkpoint',
    noCheckpoint: 'No checkpoint yet.',
    seconds: 'Verification time (seconds)',
  },
};
