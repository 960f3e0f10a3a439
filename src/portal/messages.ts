import { preferredLanguage } from '../platform/http/accept-language';
import { EN } from './messages-en';
import { FR } from './messages-fr';
import { OFFICER_EN, OFFICER_FR, type OfficerMessages } from './messages-officer';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

/** A sentence with a date or a count in it. */
type Words<T extends unknown[] = [string]> = (...values: T) => string;

/**
 * Every string the citizen's pages show, in plain words. French is the
 * default; each language is a full catalogue. The officer's pages have their
 * own (messages-officer.ts).
 */
export interface CitizenMessages {
  lang: Lang;
  /** This language's name, in it, and the other's, in that one, for the switch. */
  languageName: string;
  otherLanguage: string;
  appName: string;
  tagline: string;
  skipToContent: string;
  /** The title of the banner that confirms what the citizen just did. */
  done: string;
  nav: {
    label: string;
    language: string;
    consents: string;
    requests: string;
    myInformation: string;
    history: string;
    contact: string;
    audit: string;
    integrity: string;
    signIn: string;
    signOut: string;
    signedInAs: Words;
  };
  footer: { heading: string; privacy: string; accessibility: string; support: string };
  home: { title: string; intro: string; steps: string[]; officerIntro: string; signIn: string };
  status: Record<'pending' | 'active' | 'refused' | 'revoked' | 'expired', string>;
  /** How long a consent serves: once, or until its end date. */
  mode: Record<'one-time' | 'ongoing', string>;
  modeHint: Record<'one-time' | 'ongoing', string>;
  decision: Record<'allow' | 'deny' | 'error', string>;
  /** A length of time in days, in words ("1 an", "180 jours"). */
  days: Words<[number]>;
  timeZoneNote: string;
  consents: {
    title: string;
    intro: string;
    grant: string;
    active: string;
    past: string;
    refused: string;
    noneActive: string;
    nonePast: string;
    purpose: string;
    legalReference: string;
    data: string;
    use: string;
    period: string;
    periodText: Words<[string, string]>;
    withdrawnOn: string;
    endedOn: string;
    refusedOn: string;
    askedOn: string;
    updates: string;
    keptUpToDate: string;
    notKeptUpToDate: string;
    receipt: string;
    receiptFor: Words;
    revoke: string;
    revokeFor: Words;
    revoked: string;
    granted: string;
    allFields: string;
  };
  revoke: { title: string; question: Words<[string, string]>; consequence: string; confirm: string; cancel: string };
  requests: {
    title: string;
    intro: string;
    none: string;
    from: string;
    purpose: string;
    legalReference: string;
    data: string;
    until: string;
    untilDate: Words<[string, string]>;
    use: string;
    message: string;
    preview: string;
    previewFor: Words;
    approve: string;
    keepUpToDate: string;
    keepUpToDateHint: string;
    reject: string;
    approved: string;
    rejected: string;
  };
  grant: {
    title: string;
    caption: string;
    intro: string;
    chooseWho: string;
    chooseWhoHint: string;
    noChoice: string;
    continue: string;
    chooseData: string;
    chooseDataHint: string;
    fieldsOf: Words;
    use: string;
    keepUpToDate: string;
    keepUpToDateHint: string;
    review: string;
    reviewTitle: string;
    reviewIntro: string;
    change: string;
    confirm: string;
    cancel: string;
    errorTitle: string;
    errors: { who: string; products: string; fields: string; mode: string };
  };
  receipt: {
    title: string;
    intro: string;
    who: string;
    what: string;
    why: string;
    legalReference: string;
    use: string;
    from: string;
    until: string;
    status: string;
    recordedOn: string;
    withdrawnOn: string;
    reference: string;
    fingerprint: string;
    fingerprintHint: string;
    download: string;
    downloadPdf: string;
    downloadHint: string;
    back: string;
  };
  history: {
    title: string;
    intro: string;
    none: string;
    when: string;
    organisation: string;
    product: string;
    purpose: string;
    decision: string;
    any: string;
    filter: string;
    basis: string;
    caseRef: string;
    sent: string;
    consentBasis: string;
    statuteBasis: Words;
    basisExplained: string;
    delayed: string;
    changeNotices: string;
    changeNotice: Words<[string, string]>;
    /** The citizen looked at their own information, or at what an organisation would receive. */
    ownView: Words<[string, string]>;
    ownPreview: Words<[string, string, string]>;
    you: string;
    /** Why a request was refused, in plain words, by the gateway's reason code. */
    refusedBecause: Record<string, string>;
    refusedOther: string;
    errorWords: string;
  };
  pages: Record<'privacy' | 'accessibility' | 'support', { title: string; paragraphs: string[] }>;
  errors: {
    title: string;
    generic: string;
    notFound: string;
    forbidden: string;
    badRequest: string;
    signInFailed: string;
    expired: string;
    unavailable: string;
    reference: string;
    home: string;
  };
}

export type Messages = CitizenMessages & { officer: OfficerMessages };

const CATALOGUES: Record<Lang, Messages> = {
  fr: { ...FR, officer: OFFICER_FR },
  en: { ...EN, officer: OFFICER_EN },
};

export function messagesFor(lang: Lang): Messages {
  return CATALOGUES[lang];
}

export function isLang(value: unknown): value is Lang {
  return value === 'fr' || value === 'en';
}

/**
 * The language a first visit asks for: the first of French or English in the
 * browser's Accept-Language, by preference (q); French when neither is there
 * (`*` stands for French unless the header names it).
 */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  return preferredLanguage(header, LANGS) ?? 'fr';
}
