import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationsConfig } from '../platform/config/config';
import { isOutboxEventType, type OutboxEventType } from './outbox-events';

type Compose = (data: Record<string, unknown>) => { subject: string; text: string };

/**
 * The words of each message, in French (the citizen's language by default), or null for an event citizens are not
 * written about. No identifiers but the consent's.
 */
const MESSAGES: Record<OutboxEventType, Compose | null> = {
  'consent.granted': (d) => ({
    subject: 'Consentement accordé',
    text: `Vous avez accordé à ${String(d.requester)} l'accès à ${products(d)} pour la finalité ${String(d.purpose)}, jusqu'au ${String(d.validUntil)}.`,
  }),
  'consent.revoked': (d) => ({
    subject: 'Consentement retiré',
    text: `Votre consentement à ${String(d.requester)} pour ${products(d)} est retiré. Plus aucun échange ne peut l'utiliser.`,
  }),
  'consent.expired': (d) => ({
    subject: 'Consentement expiré',
    text: `Votre consentement à ${String(d.requester)} pour ${products(d)} est arrivé à échéance.`,
  }),
  'consent-request.created': (d) => ({
    subject: 'Une demande de consentement vous attend',
    text: `${String(d.requester)} vous demande l'accès à ${products(d)} pour la finalité ${String(d.purpose)}. Répondez dans le portail Passerelle.`,
  }),
  // The agency is told by webhook; the citizen made the decision.
  'consent-request.approved': null,
  'consent-request.rejected': null,
  'product.changed': null,
};

function messageFor(type: string): Compose | null {
  return isOutboxEventType(type) ? MESSAGES[type] : null;
}

function products(data: Record<string, unknown>): string {
  const list = Array.isArray(data.products) ? (data.products as { product?: string }[]) : [];
  return list.map((p) => p.product ?? '?').join(', ');
}

/**
 * Citizen messages by e-mail (nodemailer). With SMTP_URL they go to that
 * server; without it (development) each message is written to MAIL_DIR as an
 * .eml file. Only citizens with a known address get messages: in development,
 * the demo citizens.
 */
export class CitizenMailer {
  private readonly transport: Transporter;
  private readonly demoMailboxes: ReadonlySet<string>;

  constructor(
    private readonly config: Pick<NotificationsConfig, 'smtpUrl' | 'mailFrom' | 'mailDir' | 'demoMailboxes'>,
  ) {
    this.demoMailboxes = new Set(config.demoMailboxes);
    this.transport =
      config.smtpUrl === undefined
        ? createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
        : createTransport(config.smtpUrl);
  }

  /** The citizen's address, when there is one to write to. */
  addressOf(citizen: string): string | undefined {
    return this.demoMailboxes.has(citizen) && this.config.smtpUrl === undefined
      ? `${citizen}@citoyens.example`
      : undefined;
  }

  wants(citizen: string, type: string): boolean {
    return messageFor(type) !== null && this.addressOf(citizen) !== undefined;
  }

  /** Resolves to an error reason, or null once sent (or written). */
  async send(citizen: string, eventId: string, type: string, data: Record<string, unknown>): Promise<string | null> {
    const to = this.addressOf(citizen);
    const compose = messageFor(type);
    if (to === undefined || compose === null) return 'no address or message';
    const { subject, text } = compose(data);
    try {
      const info = (await this.transport.sendMail({ from: this.config.mailFrom, to, subject, text })) as {
        message?: Buffer;
      };
      if (this.config.smtpUrl === undefined && info.message !== undefined) {
        await mkdir(this.config.mailDir, { recursive: true });
        await writeFile(join(this.config.mailDir, `${Date.now()}-${eventId}.eml`), info.message, { mode: 0o600 });
      }
      return null;
    } catch (error) {
      return (error as { code?: string }).code ?? 'send failed';
    }
  }
}
