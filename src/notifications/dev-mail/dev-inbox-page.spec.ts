import { inboxPage, linkified } from './dev-inbox-page';

describe('the development inbox page', () => {
  it('escapes everything it shows and makes links followable', () => {
    expect(linkified('Ouvrez <b>ce</b> lien : http://localhost:8080/contact/confirm?token=abc_1-2\nMerci')).toBe(
      'Ouvrez &lt;b&gt;ce&lt;/b&gt; lien : <a href="http://localhost:8080/contact/confirm?token=abc_1-2">http://localhost:8080/contact/confirm?token=abc_1-2</a>\nMerci',
    );
    expect(linkified('javascript:alert(1) "http://x.example/"onmouseover=')).toBe(
      'javascript:alert(1) &quot;<a href="http://x.example/">http://x.example/</a>&quot;onmouseover=',
    );
  });

  it('lists e-mail and text messages with their date, recipient, subject and text', () => {
    const page = inboxPage(
      [
        {
          file: '1-a.eml',
          date: '2026-03-01T12:00:00.000Z',
          to: 'marie@example.org',
          subject: 'Autorisation <donnée>',
          text: 'Bonjour',
        },
      ],
      [{ receivedAt: '2026-03-01T12:00:01.000Z', to: '+15145550123', text: 'Passerelle : bonjour' }],
    );
    expect(page).toContain('<h3>Autorisation &lt;donnée&gt;</h3>');
    expect(page).toContain('to marie@example.org');
    expect(page).toContain('<pre>Bonjour</pre>');
    expect(page).toContain('<td>+15145550123</td><td>Passerelle : bonjour</td>');
    expect(page).not.toContain('<script');
  });

  it('says when nothing came yet', () => {
    const page = inboxPage([], []);
    expect(page).toContain('No e-mail yet.');
    expect(page).toContain('No text message yet.');
  });
});
