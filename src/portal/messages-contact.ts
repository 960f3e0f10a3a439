import type { CitizenEvent, ContactProblem } from '../notifications/citizen-contact';
import type { Lang } from './messages';

/** The words of the contact details page, French first. */
export interface ContactMessages {
  title: string;
  intro: string;
  current: string;
  email: string;
  none: string;
  confirmed: string;
  notConfirmed: string;
  pending: string;
  pendingUntil: (date: string) => string;
  pendingExpired: string;
  mobile: string;
  emailLabel: string;
  emailHint: string;
  mobileLabel: string;
  mobileHint: string;
  langLegend: string;
  langNames: Record<Lang, string>;
  mailLegend: string;
  mailHint: string;
  smsLegend: string;
  smsHint: string;
  smsUnavailable: string;
  events: Record<CitizenEvent, string>;
  save: string;
  errorTitle: string;
  errorPrefix: string;
  errors: Record<ContactProblem, string>;
  done: {
    saved: string;
    sent: string;
    confirmed: string;
  };
  notSent: string;
  refused: { invalid: string; expired: string };
  signIn: { title: string; text: string; button: string };
}

export const CONTACT_MESSAGES: Record<Lang, ContactMessages> = {
  fr: {
    title: 'Mes coordonnées',
    intro:
      'Passerelle peut vous écrire quand un organisme vous demande une autorisation ou quand une de vos autorisations change. Choisissez comment, et pour quoi.',
    current: 'Où nous vous écrivons',
    email: 'Adresse courriel',
    none: 'Aucune',
    confirmed: 'Confirmée',
    notConfirmed: 'Non confirmée',
    pending: 'En attente de confirmation',
    pendingUntil: (date) => `Ouvrez le lien envoyé à cette adresse avant le ${date}.`,
    pendingExpired: 'Le lien a expiré. Enregistrez de nouveau pour en recevoir un autre.',
    mobile: 'Cellulaire',
    emailLabel: 'Adresse courriel',
    emailHint:
      'Une nouvelle adresse sert seulement après que vous avez ouvert le lien que nous y envoyons. Laissez vide pour ne recevoir aucun courriel.',
    mobileLabel: 'Numéro de cellulaire (facultatif)',
    mobileHint: 'Au format international, par exemple +1 514 555 0123. Il sert seulement aux textos.',
    langLegend: 'Dans quelle langue voulez-vous recevoir vos messages ?',
    langNames: { fr: 'Français', en: 'English' },
    mailLegend: 'Quels messages voulez-vous recevoir par courriel ?',
    mailHint: 'Cochez tout ce qui s’applique.',
    smsLegend: 'Quels messages voulez-vous recevoir par texto ?',
    smsHint: 'Un texto ne contient ni nom ni renseignement : seulement un lien vers Passerelle.',
    smsUnavailable: 'Les textos ne sont pas offerts pour le moment.',
    events: {
      'consent-request.created': 'Un organisme me demande une autorisation',
      'consent.granted': 'J’ai donné une autorisation',
      'consent.revoked': 'Une autorisation a été retirée',
      'consent.expired': 'Une autorisation a pris fin',
      'product.changed': 'Un organisme a été avisé d’un changement de mes renseignements',
    },
    save: 'Enregistrer',
    errorTitle: 'Il y a un problème',
    errorPrefix: 'Erreur :',
    errors: {
      'email-invalid': 'Saisissez une adresse courriel valide, par exemple nom@exemple.ca',
      'email-too-long': 'L’adresse courriel doit compter au plus 254 caractères',
      'mobile-invalid': 'Saisissez un numéro de cellulaire au format international, par exemple +1 514 555 0123',
      'lang-invalid': 'Choisissez la langue de vos messages',
      'events-invalid': 'Choisissez parmi les messages proposés',
      'sms-needs-mobile': 'Saisissez un numéro de cellulaire pour recevoir des textos',
    },
    done: {
      saved: 'Vos coordonnées sont enregistrées.',
      sent: 'Vos coordonnées sont enregistrées. Nous avons envoyé un lien à votre nouvelle adresse : ouvrez-le pour qu’elle serve.',
      confirmed: 'Votre adresse courriel est confirmée. Vos messages y seront envoyés.',
    },
    notSent:
      'Vos choix sont enregistrés, mais le lien de confirmation n’a pas pu être envoyé. Réessayez plus tard en enregistrant de nouveau votre adresse.',
    refused: {
      invalid:
        'Ce lien de confirmation n’est pas valide ou a déjà servi. Pour en recevoir un nouveau, enregistrez de nouveau votre adresse.',
      expired: 'Ce lien de confirmation a expiré. Pour en recevoir un nouveau, enregistrez de nouveau votre adresse.',
    },
    signIn: {
      title: 'Confirmer votre adresse courriel',
      text: 'Connectez-vous pour confirmer votre adresse : vous reviendrez ensuite à ce lien. Il ne sert qu’au compte qui l’a demandé.',
      button: 'Se connecter',
    },
  },
  en: {
    title: 'My contact details',
    intro:
      'Passerelle can write to you when an organisation asks for your permission or when one of your permissions changes. Choose how, and for what.',
    current: 'Where we write to you',
    email: 'Email address',
    none: 'None',
    confirmed: 'Confirmed',
    notConfirmed: 'Not confirmed',
    pending: 'Waiting for confirmation',
    pendingUntil: (date) => `Open the link sent to this address before ${date}.`,
    pendingExpired: 'The link has expired. Save again to get another one.',
    mobile: 'Mobile',
    emailLabel: 'Email address',
    emailHint: 'A new address is used only once you have opened the link we send to it. Leave empty to get no email.',
    mobileLabel: 'Mobile number (optional)',
    mobileHint: 'In international format, like +1 514 555 0123. It is used for text messages only.',
    langLegend: 'Which language do you want your messages in?',
    langNames: { fr: 'Français', en: 'English' },
    mailLegend: 'Which messages do you want by email?',
    mailHint: 'Select all that apply.',
    smsLegend: 'Which messages do you want by text message?',
    smsHint: 'A text message contains no name and no information: only a link to Passerelle.',
    smsUnavailable: 'Text messages are not offered at the moment.',
    events: {
      'consent-request.created': 'An organisation asks for my permission',
      'consent.granted': 'I gave a permission',
      'consent.revoked': 'A permission was withdrawn',
      'consent.expired': 'A permission ended',
      'product.changed': 'An organisation was told of a change to my information',
    },
    save: 'Save',
    errorTitle: 'There is a problem',
    errorPrefix: 'Error:',
    errors: {
      'email-invalid': 'Enter an email address in the correct format, like name@example.com',
      'email-too-long': 'Email address must be 254 characters or fewer',
      'mobile-invalid': 'Enter a mobile number in international format, like +1 514 555 0123',
      'lang-invalid': 'Choose the language of your messages',
      'events-invalid': 'Choose from the messages listed',
      'sms-needs-mobile': 'Enter a mobile number to get text messages',
    },
    done: {
      saved: 'Your contact details are saved.',
      sent: 'Your contact details are saved. We sent a link to your new address: open it for the address to be used.',
      confirmed: 'Your email address is confirmed. Your messages will be sent there.',
    },
    notSent:
      'Your choices are saved, but the confirmation link could not be sent. Try again later by saving your address again.',
    refused: {
      invalid:
        'This confirmation link is not valid or has already been used. To get a new one, save your address again.',
      expired: 'This confirmation link has expired. To get a new one, save your address again.',
    },
    signIn: {
      title: 'Confirm your email address',
      text: 'Sign in to confirm your address: you will then come back to this link. It works only for the account that asked for it.',
      button: 'Sign in',
    },
  },
};
