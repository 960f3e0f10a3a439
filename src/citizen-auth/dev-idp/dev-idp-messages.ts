import type { IdpLang } from './dev-idp-language';

/** The words of the dev IdP's pages, in one language. */
export interface IdpMessages {
  lang: IdpLang;
  /** The other language's name, in that language, for the switch. */
  otherLanguage: string;
  languageNavigation: string;
  serviceName: string;
  serviceInformation: string;
  skipToContent: string;
  footer: string;
  login: {
    title: string;
    intro: string;
    legend: string;
    citizenHint: string;
    officerHint: string;
    submit: string;
    cancel: string;
    errorSummary: string;
    chooseAccount: string;
    errorPrefix: string;
  };
  error: {
    title: string;
    body: string;
    reference: string;
    back: string;
  };
  logout: {
    title: string;
    body: string;
    confirm: string;
    stay: string;
  };
  loggedOut: {
    title: string;
    body: string;
    back: string;
  };
}

const FR: IdpMessages = {
  lang: 'fr',
  otherLanguage: 'English',
  languageNavigation: 'Langue',
  serviceName: 'Passerelle',
  serviceInformation: 'Renseignements sur le service',
  skipToContent: 'Aller au contenu principal',
  footer: 'Passerelle · service de connexion de développement',
  login: {
    title: 'Se connecter à Passerelle',
    intro:
      'Ceci est le service de connexion de développement. Il n’y a pas de mot de passe : choisissez un compte de démonstration.',
    legend: 'Avec quel compte voulez-vous vous connecter ?',
    citizenHint: 'Citoyenne ou citoyen de démonstration',
    officerHint: 'Responsable de la protection des renseignements personnels',
    submit: 'Se connecter',
    cancel: 'Annuler et revenir au portail',
    errorSummary: 'Il y a un problème',
    chooseAccount: 'Choisissez un des comptes de la liste.',
    errorPrefix: 'Erreur :',
  },
  error: {
    title: 'Nous n’avons pas pu vous connecter',
    body: 'La connexion n’a pas abouti. Elle a peut-être pris trop de temps, ou la page a déjà servi. Retournez au portail et recommencez.',
    reference: 'Si le problème persiste, donnez cette référence au soutien technique :',
    back: 'Retour au portail',
  },
  logout: {
    title: 'Se déconnecter du service de connexion ?',
    body: 'Vous êtes connecté au service de connexion de développement.',
    confirm: 'Oui, me déconnecter',
    stay: 'Non, rester connecté',
  },
  loggedOut: {
    title: 'Vous êtes déconnecté',
    body: 'Vous n’êtes plus connecté au service de connexion de développement.',
    back: 'Retour au portail',
  },
};

const EN: IdpMessages = {
  lang: 'en',
  otherLanguage: 'Français',
  languageNavigation: 'Language',
  serviceName: 'Passerelle',
  serviceInformation: 'Service information',
  skipToContent: 'Skip to main content',
  footer: 'Passerelle · development sign-in service',
  login: {
    title: 'Sign in to Passerelle',
    intro: 'This is the development sign-in service. There is no password: choose a demo account.',
    legend: 'Which account do you want to sign in with?',
    citizenHint: 'Demo citizen',
    officerHint: 'Privacy officer',
    submit: 'Sign in',
    cancel: 'Cancel and go back to the portal',
    errorSummary: 'There is a problem',
    chooseAccount: 'Choose one of the accounts in the list.',
    errorPrefix: 'Error:',
  },
  error: {
    title: 'We could not sign you in',
    body: 'The sign-in did not finish. It may have taken too long, or the page was already used. Go back to the portal and start again.',
    reference: 'If the problem continues, give this reference to technical support:',
    back: 'Back to the portal',
  },
  logout: {
    title: 'Sign out of the sign-in service?',
    body: 'You are signed in to the development sign-in service.',
    confirm: 'Yes, sign me out',
    stay: 'No, stay signed in',
  },
  loggedOut: {
    title: 'You are signed out',
    body: 'You are no longer signed in to the development sign-in service.',
    back: 'Back to the portal',
  },
};

/** The catalogue: French first. */
export const IDP_MESSAGES: Record<IdpLang, IdpMessages> = { fr: FR, en: EN };
