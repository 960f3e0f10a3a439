import { createTransport, type Transporter } from 'nodemailer';

/** A message could not be handed to the SMTP server: `reason` is a code (ETIMEDOUT, EENVELOPE…), never an address. */
export class MailNotSent extends Error {
  constructor(readonly reason: string) {
    super(`mail not sent: ${reason}`);
    this.name = 'MailNotSent';
  }
}

export interface MailerSettings {
  /** Unset: no server, and `configured` is false (the outbox keeps the messages). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The longest a connection, the server's greeting or a silent socket may take. */
  timeoutMs: number;
}

/**
 * Citizens' e-mail, always through SMTP (nodemailer): the server of
 * SMTP_URL, or in development the local one `npm start` runs. Plain text,
 * one recipient per message.
 */
export class CitizenMailer {
  private readonly transport: Transporter | undefined;

  constructor(private readonly settings: MailerSettings) {
    this.transport =
      settings.smtpUrl === undefined
        ? undefined
        : createTransport({
            url: settings.smtpUrl,
            connectionTimeout: settings.timeoutMs,
            greetingTimeout: settings.timeoutMs,
            socketTimeout: settings.timeoutMs,
          });
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  /** Hands the message to the server; throws MailNotSent otherwise. */
  async send(to: string, subject: string, text: string): Promise<void> {
    if (this.transport === undefined) throw new MailNotSent('no-smtp-server');
    try {
      await this.transport.sendMail({ from: this.settings.mailFrom, to, subject, text });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new MailNotSent(typeof code === 'string' ? code : 'send-failed');
    }
  }

  close(): void {
    this.transport?.close();
  }
}
