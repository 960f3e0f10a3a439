import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { InboxMail } from '../../src/notifications/dev-mail/dev-inbox-page';
import { type DevMailServer, startDevMailServer } from '../../src/notifications/dev-mail/dev-mail-server';
import { testEnv } from '../setup/test-env';
import { eventually } from './test-gateway';

/** A real SMTP server and text-message sink for one test file, and ways to read what they took. */
export interface Mailbox {
  server: DevMailServer;
  /** Every e-mail to `address`, newest first. */
  to(address: string): Promise<InboxMail[]>;
  /** Waits for the e-mail to `address` with `subject`. */
  waitFor(address: string, subject: string): Promise<InboxMail>;
  close(): Promise<void>;
}

export async function startMailbox(smsToken?: string): Promise<Mailbox> {
  const server = await startDevMailServer({ dir: mkdtempSync(join(testEnv('root'), 'mailbox-')), smsToken });
  const to = async (address: string): Promise<InboxMail[]> =>
    (await server.mails()).filter((mail) => mail.to === address);
  return {
    server,
    to,
    async waitFor(address, subject) {
      let found: InboxMail | undefined;
      await eventually(
        async () => {
          found = (await to(address)).find((mail) => mail.subject === subject);
          return found !== undefined;
        },
        `the message "${subject}"`,
        10_000,
      );
      return found as InboxMail;
    },
    close: () => server.close(),
  };
}

/** The token of a confirmation message's link. */
export function confirmationTokenOf(mail: InboxMail): string {
  const token = /\/contact\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (token === undefined) throw new Error('no confirmation link in the message');
  return token;
}

/** A date as a citizen in Quebec reads it. */
export const quebecDate = (locale: string, date: Date): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'America/Toronto' }).format(date);
