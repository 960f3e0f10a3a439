import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { NotificationsConfig } from '../platform/config/config';
import { DomainError } from '../platform/errors/domain-error';
import {
  type CitizenContact,
  type ContactInput,
  type ContactUpdate,
  DEFAULT_MAIL_EVENTS,
  DEFAULT_SMS_EVENTS,
  deliverableEmail,
  type EmailChange,
  emailChangeOf,
  emailProblem,
  langOfLocale,
  normaliseEmail,
  validateContact,
} from './citizen-contact';
import { type ContactRow, CitizenContactRepository, type StoredContact } from './citizen-contact.repository';
import { CitizenMailer } from './citizen-mailer';
import { addressChangeEmail, confirmationEmail, confirmationLink, type EmailMessage } from './citizen-messages';
import { confirmationOutcome, hashToken, type NewToken, newConfirmationToken } from './confirmation-token';
import { NOTIFICATIONS_CONFIG, SMS_SENDER } from './notifications.tokens';
import type { SmsSender } from './sms-sender';

/** What the identity provider said of the citizen at sign-in (OpenID Connect claims). */
export interface SignInClaims {
  email?: string;
  emailVerified?: boolean;
  locale?: string;
}

/** A citizen's contact details as the portal shows them: the defaults until anything is stored. */
export type ContactView = Omit<CitizenContact, 'updatedAt'> & { updatedAt: Date | null };

export interface ContactSaved {
  emailChange: EmailChange;
  /** For a new address: whether its confirmation message was handed to the mail server. */
  confirmationSent?: boolean;
}

export type ConfirmResult = 'confirmed' | 'invalid' | 'expired';

/** The record after an edit: the citizen's choices, and the address as `change` leaves it. */
function rowAfter(
  current: StoredContact | undefined,
  update: ContactUpdate,
  change: EmailChange,
  token: NewToken,
): ContactRow {
  const choices = {
    mobile: update.mobile,
    lang: update.lang,
    mailEvents: update.mailEvents,
    smsEvents: update.smsEvents,
  };
  const kept = { email: current?.email ?? null, emailConfirmed: current?.emailConfirmed ?? false };
  const noPending = { pendingEmail: null, pendingTokenHash: null, pendingExpiresAt: null };
  switch (change) {
    case 'unchanged':
      return {
        ...choices,
        ...kept,
        pendingEmail: current?.pendingEmail ?? null,
        pendingTokenHash: current?.pendingTokenHash ?? null,
        pendingExpiresAt: current?.pendingExpiresAt ?? null,
      };
    case 'keep-current':
      return { ...choices, ...kept, ...noPending };
    case 'remove':
      return { ...choices, email: null, emailConfirmed: false, ...noPending };
    case 'confirm-new':
      return {
        ...choices,
        ...kept,
        pendingEmail: update.email,
        pendingTokenHash: token.hash,
        pendingExpiresAt: token.expiresAt,
      };
  }
}

/**
 * How Passerelle reaches each citizen: the record they keep in the portal.
 * A new e-mail address is used only once the citizen opened the link sent to
 * it; until then the confirmed one (if any) keeps receiving, and is told that
 * a change was asked. Addresses and numbers never reach the logs.
 */
@Injectable()
export class CitizenContacts {
  constructor(
    private readonly repository: CitizenContactRepository,
    private readonly mailer: CitizenMailer,
    @Inject(SMS_SENDER) private readonly sms: SmsSender | null,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
    @InjectPinoLogger('notifications') private readonly logger: PinoLogger,
  ) {}

  /** Whether text messages can be sent at all: without a provider, the portal does not offer them. */
  get smsAvailable(): boolean {
    return this.sms !== null;
  }

  /**
   * At each sign-in: the first one creates the record from the identity
   * provider's claims (an address it verified counts as confirmed; the
   * language from `locale`). A record that exists is never changed here: what
   * the citizen set in the portal wins over what the provider says later.
   */
  async recordSignIn(subject: string, claims: SignInClaims): Promise<void> {
    const email = normaliseEmail(claims.email ?? '');
    const usable = email !== null && emailProblem(email) === undefined ? email : null;
    await this.repository.insertIfAbsent(subject, {
      email: usable,
      emailConfirmed: usable !== null && claims.emailVerified === true,
      lang: langOfLocale(claims.locale),
      mailEvents: DEFAULT_MAIL_EVENTS,
      smsEvents: DEFAULT_SMS_EVENTS,
    });
  }

  async get(subject: string): Promise<ContactView> {
    const stored = await this.repository.find(subject);
    if (stored === undefined) {
      return {
        subject,
        email: null,
        emailConfirmed: false,
        pendingEmail: null,
        pendingExpiresAt: null,
        mobile: null,
        lang: 'fr',
        mailEvents: [...DEFAULT_MAIL_EVENTS],
        smsEvents: [...DEFAULT_SMS_EVENTS],
        updatedAt: null,
      };
    }
    const { pendingTokenHash: _hash, ...view } = stored;
    return view;
  }

  /**
   * Saves the citizen's choices. `input` must pass validateContact (the
   * portal shows its errors first): otherwise `validation-failed`. A new
   * address becomes pending and gets its confirmation link.
   */
  async update(subject: string, input: ContactInput): Promise<ContactSaved> {
    const checked = validateContact(input);
    if (!checked.ok) throw new DomainError('validation-failed');
    const update = checked.update;
    const now = new Date();
    const token = newConfirmationToken(now);
    const { change, previous } = await this.repository.edit(subject, (current) => {
      const change = emailChangeOf(current, update.email, now);
      return { row: rowAfter(current, update, change, token), result: { change, previous: deliverableEmail(current) } };
    });
    const base = this.config.portalBaseUrl;
    const saved: ContactSaved = { emailChange: change };
    if (change === 'confirm-new' && update.email !== null) {
      const link = confirmationLink(base, token.token);
      saved.confirmationSent = await this.tell(update.email, confirmationEmail(update.lang, link, token.expiresAt));
      if (!saved.confirmationSent) await this.repository.dropPending(subject, token.hash);
    }
    // The old address hears of a replacement only once the new one has its link to follow.
    if (previous !== null && (change === 'remove' || saved.confirmationSent === true)) {
      await this.tell(previous, addressChangeEmail(update.lang, base, change === 'remove' ? 'removed' : 'replaced'));
    }
    return saved;
  }

  /**
   * The link's token makes the pending address the confirmed one: for the
   * signed-in citizen only (another citizen's token matches nothing of
   * theirs), once, before it expires.
   */
  async confirm(subject: string, token: string): Promise<ConfirmResult> {
    const now = new Date();
    const outcome = confirmationOutcome(await this.repository.find(subject), token, now);
    if (outcome !== 'valid') return outcome;
    // Another request may have spent or replaced the token since it was read: the update checks again.
    return (await this.repository.confirm(subject, hashToken(token), now)) === undefined ? 'invalid' : 'confirmed';
  }

  /** Sends an address message now (it carries a secret, so it never waits in the outbox); false if it failed. */
  private async tell(to: string, message: EmailMessage): Promise<boolean> {
    try {
      await this.mailer.send(to, message.subject, message.text);
      return true;
    } catch (error) {
      const reason = (error as { reason?: unknown }).reason;
      this.logger.warn({ event: 'contact-message-not-sent', reason }, 'contact message not sent');
      return false;
    }
  }
}
