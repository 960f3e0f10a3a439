import { DEV_ACCOUNTS } from './dev-accounts';
import { errorPage, loggedOutPage, loginPage, logoutPage } from './dev-idp-pages';

const UID = 'aBc_123-xyz';

describe('The dev IdP pages', () => {
  it('offers every dev account by name on a French sign-in page, with no script and nothing from another host', () => {
    const page = loginPage({ lang: 'fr', uid: UID });
    expect(page).toMatch(/^<!DOCTYPE html><html lang="fr" class="govuk-template">/);
    expect(page).toContain('<span class="govuk-service-navigation__text">Passerelle</span>');
    expect(page).toContain('Il n’y a pas de mot de passe');
    expect(page).toContain(`<form method="post" action="/interaction/${UID}/login"`);
    for (const id of DEV_ACCOUNTS.keys()) {
      expect(page).toMatch(new RegExp(`name="account"\\s+type="radio"\\s+value="${id}"`));
    }
    expect(page).toContain('>Émilie Rose Tremblay</label>');
    expect(page).toContain('>Nathalie Lavoie</label>');
    expect(page).toContain(`href="/interaction/${UID}/abort?lang=fr"`);
    expect(page).toMatch(new RegExp(`href="/interaction/${UID}\\?lang=en"\\s+lang="en"\\s+hreflang="en"`));
    expect(page).not.toMatch(/<script|https?:\/\/|checked|govuk-error/);
  });

  it('speaks English when asked, and pre-selects a known account', () => {
    const page = loginPage({ lang: 'en', uid: UID, selected: 'demo-citizen-3' });
    expect(page).toContain('<html lang="en"');
    expect(page).toContain('Sign in to Passerelle');
    expect(page).toContain('There is no password: choose a demo account.');
    expect(page).toContain('>Français</a');
    expect(page.match(/ checked/g)).toHaveLength(1);
    expect(page).toMatch(/value="demo-citizen-3"\s+aria-describedby="account-3-hint"\s+checked/);
  });

  it('says what is wrong when no account was chosen, in GOV.UK’s error pattern', () => {
    const page = loginPage({ lang: 'fr', uid: UID, invalid: true });
    expect(page).toContain('<h2 class="govuk-error-summary__title">Il y a un problème</h2>');
    expect(page).toContain('<a href="#account">Choisissez un des comptes de la liste.</a>');
    expect(page).toContain('aria-describedby="account-error"');
    expect(page).toContain('govuk-form-group govuk-form-group--error');
  });

  it('gives an error page a reference and the way back, and nothing else of the error', () => {
    const page = errorPage('en', 'IDP-0A1B2C3D', 'http://127.0.0.1:8080/');
    expect(page).toContain('We could not sign you in');
    expect(page).toContain('<strong class="passerelle-break">IDP-0A1B2C3D</strong>');
    expect(page).toContain('<a class="govuk-link" href="http://127.0.0.1:8080/">Back to the portal</a>');
    expect(page).not.toMatch(/<script|<form|hreflang/);
  });

  it('escapes what it is given', () => {
    expect(errorPage('fr', '<b>', 'http://x/"onmouseover="a')).toContain('&lt;b&gt;');
    expect(errorPage('fr', '<b>', 'http://x/"onmouseover="a')).toContain('href="http://x/&quot;onmouseover=&quot;a"');
  });

  it('embeds the provider’s logout form and names both choices', () => {
    const form = '<form id="op.logoutForm" method="post" action="/session/end/confirm"></form>';
    const page = logoutPage('fr', form);
    expect(page).toContain(form);
    expect(page).toContain('form="op.logoutForm" name="logout" value="yes"');
    expect(page).toContain('Non, rester connecté');
    expect(loggedOutPage('en', 'http://127.0.0.1/')).toContain('You are signed out');
  });
});
