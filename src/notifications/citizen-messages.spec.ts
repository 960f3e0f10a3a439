import { PORTAL_TIME_ZONE } from '../portal/local-time';
import { CITIZEN_EVENTS, type ContactLang } from './citizen-contact';
import {
  addressChangeEmail,
  citizenEmail,
  citizenSms,
  confirmationEmail,
  confirmationLink,
  MESSAGE_TIME_ZONE,
  type MessageContext,
  type MessageNames,
} from './citizen-messages';

const NAMES: MessageNames = {
  organisation: (id) => ({ afe: 'Aide financière aux études' })[id],
  product: (code, lang) =>
    ({
      'revenu.avis-cotisation': { fr: 'Avis de cotisation', en: 'Notice of assessment' },
      'saaq.adresse': { fr: 'Adresse postale', en: 'Postal address' },
    })[code]?.[lang],
  purpose: (code, lang) =>
    ({ 'afe.calcul-aide': { fr: 'Calcul de l’aide financière', en: 'Calculation of financial assistance' } })[code]?.[
      lang
    ],
};

const BASE = 'https://portail.example';
// 03:00 UTC on 1 January is still 31 December in Quebec.
const CONSENT = {
  consentId: '6f1c3c57-4a53-4a8e-9a57-1f1d33b0c0de',
  citizen: 'demo-citizen-1',
  requester: 'afe',
  purpose: 'afe.calcul-aide',
  products: [{ product: 'revenu.avis-cotisation', fields: ['revenuTotal'] }],
  status: 'active',
  validFrom: '2026-03-01T12:00:00.000Z',
  validUntil: '2027-01-01T03:00:00.000Z',
  predecessorId: null,
  requestId: null,
};
const context = (lang: ContactLang, names = NAMES): MessageContext => ({
  lang,
  names,
  portalBaseUrl: BASE,
  organisation: 'afe',
  occurredAt: new Date('2026-03-02T02:30:00Z'),
});

/** Nothing a citizen should never read: codes, identifiers, ISO times, field names. */
function expectNoCodes(text: string): void {
  for (const code of [
    'afe.calcul-aide',
    'revenu.avis-cotisation',
    'saaq.adresse',
    'demo-citizen',
    CONSENT.consentId,
    'revenuTotal',
    'consent.',
    'consent-request',
  ]) {
    expect(text).not.toContain(code);
  }
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  expect(text).not.toMatch(/\bafe\b/);
}

describe('citizenEmail', () => {
  it('tells a French reader who may obtain what, for which reason, until a date in Quebec’s time zone', () => {
    const mail = citizenEmail('consent.granted', CONSENT, context('fr'));
    expect(mail.subject).toBe('Autorisation donnée à Aide financière aux études');
    expect(mail.text).toContain(
      'Vous avez autorisé Aide financière aux études à obtenir les renseignements suivants, pour la raison « Calcul de l’aide financière » :\n- Avis de cotisation',
    );
    expect(mail.text).toContain('valide jusqu’au 31 décembre 2026');
    expect(mail.text).toContain(`Voir mes autorisations :\n${BASE}/consents`);
    expect(mail.text).toContain(`${BASE}/contact`);
    expectNoCodes(`${mail.subject}\n${mail.text}`);
  });

  it('tells an English reader the same, in English', () => {
    const mail = citizenEmail('consent.granted', CONSENT, context('en'));
    expect(mail.subject).toBe('Permission given to Aide financière aux études');
    expect(mail.text).toContain('for the reason “Calculation of financial assistance”:\n- Notice of assessment');
    expect(mail.text).toContain('valid until December 31, 2026');
    expect(mail.text).toContain(`See my permissions:\n${BASE}/consents`);
    expectNoCodes(`${mail.subject}\n${mail.text}`);
  });

  it.each([
    [
      'consent.revoked',
      'fr',
      'Autorisation retirée : Aide financière aux études',
      'retirée le 1 mars 2026',
      '/consents',
    ],
    [
      'consent.revoked',
      'en',
      'Permission withdrawn: Aide financière aux études',
      'withdrawn on March 1, 2026',
      '/consents',
    ],
    [
      'consent.expired',
      'fr',
      'Autorisation terminée : Aide financière aux études',
      'fin le 31 décembre 2026',
      '/consents',
    ],
    [
      'consent.expired',
      'en',
      'Permission ended: Aide financière aux études',
      'ended on December 31, 2026',
      '/consents',
    ],
    [
      'consent-request.created',
      'fr',
      'Aide financière aux études vous demande une autorisation',
      'Le 1 mars 2026, Aide financière aux études vous a demandé',
      '/requests',
    ],
    [
      'consent-request.created',
      'en',
      'Aide financière aux études is asking for your permission',
      'On March 1, 2026, Aide financière aux études asked',
      '/requests',
    ],
  ] as const)('%s in %s: names, a local date and the page to act on', (event, lang, subject, sentence, page) => {
    const mail = citizenEmail(event, CONSENT, context(lang));
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain(sentence);
    expect(mail.text).toContain(`${BASE}${page}`);
    expectNoCodes(`${mail.subject}\n${mail.text}`);
  });

  it('tells of a change notice with the information’s name, the day of the change and the history page', () => {
    const notice = {
      changeId: '0a8f1f7e-1f7a-4bb8-8f55-0d7c3e6d9a10',
      product: 'saaq.adresse',
      citizen: 'demo-citizen-2',
      changedAt: '2026-02-27T15:00:00.000Z',
      purpose: 'afe.calcul-aide',
    };
    const fr = citizenEmail('product.changed', notice, context('fr'));
    expect(fr.subject).toBe('Aide financière aux études a été avisé d’un changement');
    expect(fr.text).toContain('vos renseignements « Adresse postale » ont changé (changement du 27 février 2026)');
    expect(fr.text).toContain(`${BASE}/history`);
    const en = citizenEmail('product.changed', notice, context('en'));
    expect(en.text).toContain('your information “Postal address” changed (change of February 27, 2026)');
    expectNoCodes(`${fr.text}\n${en.text}`);
    expect(`${fr.text}${en.text}`).not.toContain(notice.changeId);
  });

  it('writes general words, never a code, when a name cannot be found', () => {
    const none: MessageNames = { organisation: () => undefined, product: () => undefined, purpose: () => undefined };
    const fr = citizenEmail('consent-request.created', CONSENT, context('fr', none));
    expect(fr.subject).toBe('Un organisme vous demande une autorisation');
    expect(fr.text).toContain('un organisme vous a demandé');
    expect(fr.text).toContain('- des renseignements');
    const en = citizenEmail('consent.granted', CONSENT, context('en', none));
    expect(en.subject).toBe('Permission given to an organisation');
    expectNoCodes(`${fr.subject}\n${fr.text}\n${en.subject}\n${en.text}`);
  });

  it('has words for every event in both languages', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (const event of CITIZEN_EVENTS) {
        const mail = citizenEmail(event, CONSENT, context(lang));
        expect(mail.subject.length).toBeGreaterThan(10);
        expect(mail.text).toContain(BASE);
      }
    }
  });
});

describe('citizenSms', () => {
  it('is short, plain, names nobody and links to the page', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (const event of CITIZEN_EVENTS) {
        const sms = citizenSms(event, lang, BASE);
        expect(sms.length).toBeLessThanOrEqual(160);
        expect(sms).toMatch(
          new RegExp(`^Passerelle ?: .+ ${BASE.replaceAll('.', '\\.')}/(consents|requests|history)$`),
        );
        expect(sms).not.toContain('Aide financière');
      }
    }
    expect(citizenSms('consent-request.created', 'fr', BASE)).toBe(
      `Passerelle : une demande d’autorisation attend votre réponse. ${BASE}/requests`,
    );
    expect(citizenSms('consent-request.created', 'en', BASE)).toBe(
      `Passerelle: a request for your permission is waiting for your answer. ${BASE}/requests`,
    );
  });
});

describe('address messages', () => {
  it('sends the one-time link to the new address, with its expiry in local time', () => {
    const link = confirmationLink(BASE, 'abc_DEF-123');
    expect(link).toBe(`${BASE}/contact/confirm?token=abc_DEF-123`);
    const fr = confirmationEmail('fr', link, new Date('2026-03-02T17:00:00Z'));
    expect(fr.subject).toBe('Confirmez votre adresse courriel');
    expect(fr.text).toContain(`\n${link}\n`);
    expect(fr.text).toMatch(/valide jusqu’au 2 mars 2026 (à )?12 h 00/);
    const en = confirmationEmail('en', link, new Date('2026-03-02T17:00:00Z'));
    expect(en.subject).toBe('Confirm your email address');
    expect(en.text).toMatch(/valid until March 2, 2026,? (at )?12:00/);
  });

  it('tells the old address of a change without naming the new one', () => {
    const fr = addressChangeEmail('fr', BASE, 'replaced');
    expect(fr.text).toContain('continueront d’arriver ici');
    expect(fr.text).toContain(`${BASE}/contact`);
    expect(addressChangeEmail('en', BASE, 'removed').text).toContain('removed this email address');
  });
});

it('writes dates in the portal’s time zone', () => {
  expect(MESSAGE_TIME_ZONE).toBe(PORTAL_TIME_ZONE);
});
