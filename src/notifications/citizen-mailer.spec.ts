import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../platform/net/listen';
import { loadConfig } from '../platform/config/config';
import { CitizenMailer, MailNotSent } from './citizen-mailer';
import { devMailWanted, type DevMailServer, startDevMailServer, withDevMail } from './dev-mail/dev-mail-server';

const FROM = 'Passerelle <ne-pas-repondre@passerelle.example>';

describe('CitizenMailer', () => {
  let dir: string;
  let server: DevMailServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-mailer-'));
    server = await startDevMailServer({ dir });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends through SMTP, always: the message reaches the server with its recipient, subject and text', async () => {
    const mailer = new CitizenMailer({ smtpUrl: server.smtpUrl, mailFrom: FROM, timeoutMs: 2000 });
    expect(mailer.configured).toBe(true);
    await mailer.send('marie@example.org', 'Autorisation donnée à Aide financière aux études', 'Bonjour,\n\nÀ bientôt');
    const [mail] = await server.mails();
    expect(mail).toMatchObject({
      to: 'marie@example.org',
      subject: 'Autorisation donnée à Aide financière aux études',
    });
    expect(mail.text.trimEnd()).toBe('Bonjour,\n\nÀ bientôt');
    expect(mail.file).toMatch(/\.eml$/);
  });

  it('without a server, is not configured and sends nothing', async () => {
    const mailer = new CitizenMailer({ smtpUrl: undefined, mailFrom: FROM, timeoutMs: 2000 });
    expect(mailer.configured).toBe(false);
    await expect(mailer.send('marie@example.org', 's', 't')).rejects.toEqual(new MailNotSent('no-smtp-server'));
  });

  it('reports a server it cannot reach by a code, never by the address', async () => {
    const closed = await freePort();
    const mailer = new CitizenMailer({ smtpUrl: `smtp://127.0.0.1:${closed}`, mailFrom: FROM, timeoutMs: 2000 });
    const failure = await mailer.send('marie@example.org', 's', 't').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MailNotSent);
    expect((failure as MailNotSent).reason).toMatch(/^E[A-Z]+$/);
    expect((failure as MailNotSent).message).not.toContain('marie');
  });
});

describe('the development mail server in npm start', () => {
  const config = (env: Record<string, string>) => loadConfig({ OIDC_ISSUER: 'https://idp.example', ...env }, '/srv');

  it('runs outside production unless a real SMTP server is named or DEV_MAIL is off', () => {
    expect(devMailWanted(config({ NODE_ENV: 'development' }))).toBe(true);
    expect(devMailWanted(config({ NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example:25' }))).toBe(false);
    expect(devMailWanted(config({ NODE_ENV: 'development', DEV_MAIL: 'false' }))).toBe(false);
    expect(devMailWanted(config({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/p' }))).toBe(false);
  });

  it('becomes the mail server, and the text-message provider unless one is named', () => {
    const server = { smtpUrl: 'smtp://127.0.0.1:1025', smsUrl: 'http://127.0.0.1:1080/sms' } as DevMailServer;
    expect(withDevMail(config({}), server).notifications).toMatchObject({
      smtpUrl: 'smtp://127.0.0.1:1025',
      sms: { url: 'http://127.0.0.1:1080/sms', token: undefined },
    });
    const named = config({ SMS_URL: 'https://sms.example/send', SMS_TOKEN: 'secret' });
    expect(withDevMail(named, server).notifications.sms).toEqual({ url: 'https://sms.example/send', token: 'secret' });
  });
});
