import { EN } from './messages-en';
import { FR } from './messages-fr';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

/** Every string the portal shows. French is the default; each language is a full catalogue. */
export interface Messages {
  lang: Lang;
  /** The other language's name, in that language, for the switch. */
  otherLanguage: string;
  appName: string;
  tagline: string;
  skipToContent: string;
  nav: {
    label: string;
    consents: string;
    requests: string;
    history: string;
    audit: string;
    integrity: string;
    signIn: string;
    signOut: string;
    signedInAs: (who: string) => string;
  };
  home: { title: string; intro: string; officerIntro: string; signIn: string };
  status: Record<'pending' | 'active' | 'refused' | 'revoked' | 'expired', string>;
  mode: Record<'one-time' | 'ongoing', string>;
  decision: Record<string, string>;
  consents: {
    title: string;
    active: string;
    past: string;
    noneActive: string;
    nonePast: string;
    organisation: string;
    purpose: string;
    data: string;
    validUntil: string;
    mode: string;
    status: string;
    /** Whether the organisation is told of the citizen's changes: the header, then yes and no. */
    updates: string;
    keptUpToDate: string;
    notKeptUpToDate: string;
    actions: string;
    receipt: string;
    receiptFor: (organisation: string) => string;
    revoke: string;
    revokeFor: (organisation: string) => string;
    revoked: string;
  };
  revoke: {
    title: string;
    question: (organisation: string, purpose: string) => string;
    confirm: string;
    cancel: string;
  };
  requests: {
    title: string;
    none: string;
    from: string;
    purpose: string;
    legalReference: string;
    data: string;
    until: string;
    untilDefault: string;
    message: string;
    approve: string;
    /** The approve form's checkbox, and what ticking it means. */
    keepUpToDate: string;
    keepUpToDateHint: string;
    reject: string;
    approved: string;
    rejected: string;
    decided: string;
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
    /** Why the organisation could ask, in plain words. */
    basis: string;
    caseRef: string;
    consentBasis: string;
    statuteBasis: (legalReference: string) => string;
    /** One sentence: what "you allowed it" and "a law allows it" mean. */
    basisExplained: string;
    delayed: string;
    /** One sentence: change notices are listed too. */
    changeNotices: string;
    /** A change notice, in plain words. */
    changeNotice: (organisation: string, product: string) => string;
  };
  audit: {
    title: string;
    citizen: string;
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
    details: string;
    basis: string;
    basisNames: Record<'consent' | 'statute', string>;
    delayedUntil: (date: string) => string;
    next: string;
    results: (count: number) => string;
    eventTitle: (seq: number) => string;
    back: string;
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

const CATALOGUES: Record<Lang, Messages> = { fr: FR, en: EN };

export function messagesFor(lang: Lang): Messages {
  return CATALOGUES[lang];
}

export function isLang(value: unknown): value is Lang {
  return value === 'fr' || value === 'en';
}
