import type { Lang } from './messages';

/** The strings of "My information" and of the preview of a request, in plain words. */
export interface MyDataMessages {
  title: string;
  intro: string;
  /** Each look is read at the source and recorded in the citizen's history. */
  recorded: string;
  heldBy: (organisation: string) => string;
  view: string;
  /** The product page. */
  product: {
    intro: (organisation: string) => string;
    correction: (organisation: string) => string;
    recorded: string;
    back: string;
  };
  noRecordTitle: string;
  noRecord: (organisation: string) => string;
  unavailableTitle: string;
  unavailable: (organisation: string) => string;
  values: {
    notGiven: string;
    yes: string;
    no: string;
    none: string;
  };
  /** Words for a field's coded values, by `product.field`, then by value. */
  codes: Record<string, Record<string, string>>;
  /** Names of the parts of a field made of records, by `product.field.part`. */
  parts: Record<string, string>;
  preview: {
    title: (organisation: string) => string;
    intro: string;
    purpose: string;
    comesFrom: (organisation: string) => string;
    notSent: string;
    nothingOnRecord: string;
    decide: string;
    requestsLink: string;
    back: string;
    recorded: string;
  };
}

const FR: MyDataMessages = {
  title: 'Mes renseignements',
  intro:
    'Voici les renseignements que des organismes publics détiennent à votre sujet et que Passerelle peut transmettre avec votre accord. Choisissez-en un pour le consulter.',
  recorded:
    'Chaque consultation est faite directement auprès de l’organisme qui détient le renseignement et est inscrite dans votre historique.',
  heldBy: (organisation) => `Détenu par ${organisation}`,
  view: 'Consulter',
  product: {
    intro: (organisation) =>
      `Ces renseignements viennent de ${organisation}, tels que l’organisme les détient aujourd’hui.`,
    correction: (organisation) =>
      `Si un renseignement est inexact, communiquez avec ${organisation} pour le faire corriger.`,
    recorded: 'Cette consultation est inscrite dans votre historique.',
    back: 'Retour à mes renseignements',
  },
  noRecordTitle: 'Aucun dossier',
  noRecord: (organisation) => `${organisation} n’a aucun dossier à votre nom.`,
  unavailableTitle: 'Temporairement indisponible',
  unavailable: (organisation) =>
    `Le système de ${organisation} ne répond pas pour le moment. Réessayez dans quelques minutes.`,
  values: { notGiven: 'Non indiqué', yes: 'Oui', no: 'Non', none: 'Aucune' },
  codes: {
    'etat-civil.naissance.sex': { F: 'Féminin', M: 'Masculin', X: 'X (non précisé)' },
    'ramq.admissibilite.status': { eligible: 'Admissible', suspended: 'Suspendue', closed: 'Fermée' },
  },
  parts: {
    'revenu.avis-cotisation.lines.line': 'Ligne',
    'revenu.avis-cotisation.lines.description': 'Description',
    'revenu.avis-cotisation.lines.amount': 'Montant',
  },
  preview: {
    title: (organisation) => `Ce que recevrait ${organisation}`,
    intro:
      'Si vous acceptez cette demande, voici exactement les renseignements qui seraient transmis, tels qu’ils sont aujourd’hui. Rien d’autre ne serait transmis.',
    purpose: 'Raison de la demande',
    comesFrom: (organisation) => `Provient de ${organisation}`,
    notSent: 'Ce renseignement ne serait pas transmis : l’organisme ne peut plus le demander pour cette raison.',
    nothingOnRecord: 'Aucun de ces renseignements n’est inscrit à votre dossier : rien ne serait transmis.',
    decide: 'Pour accepter ou refuser la demande, retournez à',
    requestsLink: 'vos demandes',
    back: 'Retour aux demandes',
    recorded: 'Cet aperçu est inscrit dans votre historique. Rien n’a été transmis.',
  },
};

const EN: MyDataMessages = {
  title: 'My information',
  intro:
    'This is the information public bodies hold about you that Passerelle can pass on with your permission. Choose one to see it.',
  recorded:
    'Each time you look, it is read directly from the public body that holds it, and the look is recorded in your history.',
  heldBy: (organisation) => `Held by ${organisation}`,
  view: 'View',
  product: {
    intro: (organisation) => `This information comes from ${organisation}, as it holds it today.`,
    correction: (organisation) => `If anything is wrong, contact ${organisation} to have it corrected.`,
    recorded: 'This look at your information is recorded in your history.',
    back: 'Back to my information',
  },
  noRecordTitle: 'No record',
  noRecord: (organisation) => `${organisation} has no record in your name.`,
  unavailableTitle: 'Temporarily unavailable',
  unavailable: (organisation) =>
    `${organisation}’s system is not answering at the moment. Please try again in a few minutes.`,
  values: { notGiven: 'Not given', yes: 'Yes', no: 'No', none: 'None' },
  codes: {
    'etat-civil.naissance.sex': { F: 'Female', M: 'Male', X: 'X (unspecified)' },
    'ramq.admissibilite.status': { eligible: 'Eligible', suspended: 'Suspended', closed: 'Closed' },
  },
  parts: {
    'revenu.avis-cotisation.lines.line': 'Line',
    'revenu.avis-cotisation.lines.description': 'Description',
    'revenu.avis-cotisation.lines.amount': 'Amount',
  },
  preview: {
    title: (organisation) => `What ${organisation} would receive`,
    intro:
      'If you accept this request, this is exactly the information that would be sent, as it is today. Nothing else would be sent.',
    purpose: 'Reason for the request',
    comesFrom: (organisation) => `Comes from ${organisation}`,
    notSent: 'This would not be sent: the body may no longer ask for it for this reason.',
    nothingOnRecord: 'None of this information is on your record: nothing would be sent.',
    decide: 'To accept or refuse the request, go back to',
    requestsLink: 'your requests',
    back: 'Back to requests',
    recorded: 'This preview is recorded in your history. Nothing has been sent.',
  },
};

export const MY_DATA_MESSAGES: Record<Lang, MyDataMessages> = { fr: FR, en: EN };
