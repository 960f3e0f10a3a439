/**
 * The words of the messages Passerelle sends citizens, in French and in
 * English, with the portal's vocabulary (autorisation / permission, raison /
 * reason). Names and dates arrive ready to print; no code ever reaches here.
 */
import type { CitizenEvent, ContactLang } from './citizen-contact';

/** The portal pages a message links to. */
export type PortalPage = '/consents' | '/requests' | '/history' | '/contact';

/** An event's facts, as the citizen reads them. */
export interface EventFacts {
  organisation: string;
  purpose: string;
  products: string[];
  /** The date the sentence is about: when it happened, or until when it holds. */
  date: string;
  /** A change notice: when the information changed at its owner. */
  changedOn: string;
}

export interface EventWords {
  subject: (facts: EventFacts) => string;
  /** Paragraphs; the list of information follows the first one when there is a list. */
  opening: (facts: EventFacts) => string;
  list: boolean;
  closing: (facts: EventFacts) => string | undefined;
  action: string;
  page: PortalPage;
  sms: string;
}

export interface MessageWords {
  hello: string;
  footer: string;
  someOrganisation: string;
  somePurpose: string;
  someInformation: string;
  events: Record<CitizenEvent, EventWords>;
  confirmation: { subject: string; open: string; validUntil: (date: string) => string; notYou: string };
  addressChange: { subject: string; replaced: string; removed: string; notYou: string };
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const FR: MessageWords = {
  hello: 'Bonjour,',
  footer:
    'Passerelle vous écrit parce que vous avez choisi de recevoir ce message. Pour choisir les messages que vous recevez ou changer vos coordonnées :',
  someOrganisation: 'un organisme',
  somePurpose: 'celle indiquée dans Passerelle',
  someInformation: 'des renseignements',
  events: {
    'consent.granted': {
      subject: (f) => `Autorisation donnée à ${f.organisation}`,
      opening: (f) =>
        `Vous avez autorisé ${f.organisation} à obtenir les renseignements suivants, pour la raison « ${f.purpose} » :`,
      list: true,
      closing: (f) => `Cette autorisation est valide jusqu’au ${f.date}. Vous pouvez la retirer en tout temps.`,
      action: 'Voir mes autorisations :',
      page: '/consents',
      sms: 'Passerelle : vous avez donné une autorisation.',
    },
    'consent.revoked': {
      subject: (f) => `Autorisation retirée : ${f.organisation}`,
      opening: (f) =>
        `L’autorisation que vous aviez donnée à ${f.organisation} pour la raison « ${f.purpose} » a été retirée le ${f.date}. Cet organisme ne peut plus obtenir ces renseignements par Passerelle :`,
      list: true,
      closing: () => undefined,
      action: 'Voir mes autorisations :',
      page: '/consents',
      sms: 'Passerelle : une de vos autorisations a été retirée.',
    },
    'consent.expired': {
      subject: (f) => `Autorisation terminée : ${f.organisation}`,
      opening: (f) =>
        `L’autorisation que vous aviez donnée à ${f.organisation} pour la raison « ${f.purpose} » a pris fin le ${f.date}. Cet organisme ne peut plus obtenir ces renseignements par Passerelle :`,
      list: true,
      closing: () => 'Si l’organisme en a encore besoin, il vous en fera la demande.',
      action: 'Voir mes autorisations :',
      page: '/consents',
      sms: 'Passerelle : une de vos autorisations a pris fin.',
    },
    'consent-request.created': {
      subject: (f) => `${capital(f.organisation)} vous demande une autorisation`,
      opening: (f) =>
        `Le ${f.date}, ${f.organisation} vous a demandé l’autorisation d’obtenir les renseignements suivants, pour la raison « ${f.purpose} » :`,
      list: true,
      closing: () => 'Rien ne lui est transmis tant que vous n’avez pas accepté. Vous pouvez aussi refuser.',
      action: 'Répondre à la demande :',
      page: '/requests',
      sms: 'Passerelle : une demande d’autorisation attend votre réponse.',
    },
    'product.changed': {
      subject: (f) => `${capital(f.organisation)} a été avisé d’un changement`,
      opening: (f) =>
        `Comme vous l’avez demandé, ${f.organisation} a été avisé le ${f.date} que vos renseignements « ${f.products.join(', ')} » ont changé (changement du ${f.changedOn}).`,
      list: false,
      closing: () =>
        'L’avis ne contient aucun renseignement. L’organisme peut maintenant les obtenir par Passerelle, tant que votre autorisation est en vigueur.',
      action: 'Voir qui a consulté mes renseignements :',
      page: '/history',
      sms: 'Passerelle : un organisme a été avisé d’un changement de vos renseignements.',
    },
  },
  confirmation: {
    subject: 'Confirmez votre adresse courriel',
    open: 'Pour recevoir les messages de Passerelle à cette adresse, confirmez-la en ouvrant ce lien, puis en vous connectant :',
    validUntil: (date) => `Ce lien est valide jusqu’au ${date} et ne sert qu’une fois.`,
    notYou: 'Vous n’avez rien demandé ? Ne faites rien : cette adresse ne sera pas utilisée.',
  },
  addressChange: {
    subject: 'Changement de votre adresse courriel',
    replaced:
      'Quelqu’un connecté à votre compte Passerelle a demandé que les messages soient envoyés à une autre adresse courriel. Ils continueront d’arriver ici tant que la nouvelle adresse n’aura pas été confirmée.',
    removed:
      'Quelqu’un connecté à votre compte Passerelle a retiré cette adresse courriel. Passerelle ne vous écrira plus ici.',
    notYou: 'Si ce n’est pas vous, connectez-vous et vérifiez vos coordonnées :',
  },
};

const EN: MessageWords = {
  hello: 'Hello,',
  footer:
    'Passerelle is writing to you because you chose to receive this message. To choose which messages you receive or change your contact details:',
  someOrganisation: 'an organisation',
  somePurpose: 'the one shown in Passerelle',
  someInformation: 'some information',
  events: {
    'consent.granted': {
      subject: (f) => `Permission given to ${f.organisation}`,
      opening: (f) =>
        `You allowed ${f.organisation} to obtain the following information, for the reason “${f.purpose}”:`,
      list: true,
      closing: (f) => `This permission is valid until ${f.date}. You can withdraw it at any time.`,
      action: 'See my permissions:',
      page: '/consents',
      sms: 'Passerelle: you gave a permission.',
    },
    'consent.revoked': {
      subject: (f) => `Permission withdrawn: ${f.organisation}`,
      opening: (f) =>
        `The permission you gave ${f.organisation} for the reason “${f.purpose}” was withdrawn on ${f.date}. This organisation can no longer obtain this information through Passerelle:`,
      list: true,
      closing: () => undefined,
      action: 'See my permissions:',
      page: '/consents',
      sms: 'Passerelle: one of your permissions was withdrawn.',
    },
    'consent.expired': {
      subject: (f) => `Permission ended: ${f.organisation}`,
      opening: (f) =>
        `The permission you gave ${f.organisation} for the reason “${f.purpose}” ended on ${f.date}. This organisation can no longer obtain this information through Passerelle:`,
      list: true,
      closing: () => 'If the organisation still needs it, it will ask you.',
      action: 'See my permissions:',
      page: '/consents',
      sms: 'Passerelle: one of your permissions has ended.',
    },
    'consent-request.created': {
      subject: (f) => `${capital(f.organisation)} is asking for your permission`,
      opening: (f) =>
        `On ${f.date}, ${f.organisation} asked for your permission to obtain the following information, for the reason “${f.purpose}”:`,
      list: true,
      closing: () => 'Nothing is sent until you accept. You can also refuse.',
      action: 'Answer the request:',
      page: '/requests',
      sms: 'Passerelle: a request for your permission is waiting for your answer.',
    },
    'product.changed': {
      subject: (f) => `${capital(f.organisation)} was told of a change`,
      opening: (f) =>
        `As you asked, ${f.organisation} was told on ${f.date} that your information “${f.products.join(', ')}” changed (change of ${f.changedOn}).`,
      list: false,
      closing: () =>
        'The notice contains no information. The organisation can now obtain it through Passerelle, as long as your permission is in force.',
      action: 'See who viewed my information:',
      page: '/history',
      sms: 'Passerelle: an organisation was told of a change to your information.',
    },
  },
  confirmation: {
    subject: 'Confirm your email address',
    open: 'To receive Passerelle’s messages at this address, confirm it by opening this link, then signing in:',
    validUntil: (date) => `This link is valid until ${date} and works only once.`,
    notYou: 'Didn’t ask for this? Do nothing: this address will not be used.',
  },
  addressChange: {
    subject: 'Change of your email address',
    replaced:
      'Someone signed in to your Passerelle account asked for messages to go to another email address. They will keep coming here until the new address is confirmed.',
    removed:
      'Someone signed in to your Passerelle account removed this email address. Passerelle will no longer write to you here.',
    notYou: 'If this was not you, sign in and check your contact details:',
  },
};

export const MESSAGE_WORDS: Record<ContactLang, MessageWords> = { fr: FR, en: EN };
