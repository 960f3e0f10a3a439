import { Injectable } from '@nestjs/common';
import { Sql, type PreparedStatement, type SqlTransaction } from '../platform/database/sql';
import { type CitizenContact, type CitizenEvent, type ContactLang, isCitizenEvent } from './citizen-contact';

/** A contact record as stored, with the hash of its pending confirmation token. */
export interface StoredContact extends CitizenContact {
  pendingTokenHash: string | null;
}

/** What a first sign-in records, from the identity provider's claims. */
export interface FirstContact {
  email: string | null;
  emailConfirmed: boolean;
  lang: ContactLang;
  mailEvents: readonly CitizenEvent[];
  smsEvents: readonly CitizenEvent[];
}

/** A record to write in full (the citizen's edit). */
export interface ContactRow {
  email: string | null;
  emailConfirmed: boolean;
  pendingEmail: string | null;
  pendingTokenHash: string | null;
  pendingExpiresAt: Date | null;
  mobile: string | null;
  lang: ContactLang;
  mailEvents: readonly CitizenEvent[];
  smsEvents: readonly CitizenEvent[];
}

const COLUMNS = `subject, email, email_confirmed AS "emailConfirmed", pending_email AS "pendingEmail",
  pending_token_hash AS "pendingTokenHash", pending_expires_at AS "pendingExpiresAt", mobile, lang,
  mail_events AS "mailEvents", sms_events AS "smsEvents", updated_at AS "updatedAt"`;

const FIND: PreparedStatement = {
  name: 'contact.find',
  text: `SELECT ${COLUMNS} FROM citizen_contact WHERE subject = $1`,
};
const FIND_FOR_UPDATE: PreparedStatement = {
  name: 'contact.find-for-update',
  text: `SELECT ${COLUMNS} FROM citizen_contact WHERE subject = $1 FOR UPDATE`,
};
const INSERT_IF_ABSENT: PreparedStatement = {
  name: 'contact.insert-if-absent',
  text: `INSERT INTO citizen_contact (subject, email, email_confirmed, lang, mail_events, sms_events)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject) DO NOTHING`,
};
const SAVE: PreparedStatement = {
  name: 'contact.save',
  text: `INSERT INTO citizen_contact (subject, email, email_confirmed, pending_email, pending_token_hash,
           pending_expires_at, mobile, lang, mail_events, sms_events, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
         ON CONFLICT (subject) DO UPDATE SET email = EXCLUDED.email, email_confirmed = EXCLUDED.email_confirmed,
           pending_email = EXCLUDED.pending_email, pending_token_hash = EXCLUDED.pending_token_hash,
           pending_expires_at = EXCLUDED.pending_expires_at, mobile = EXCLUDED.mobile, lang = EXCLUDED.lang,
           mail_events = EXCLUDED.mail_events, sms_events = EXCLUDED.sms_events, updated_at = now()`,
};
// Single use: the token's hash must still be the pending one and unexpired when the row is changed.
const CONFIRM: PreparedStatement = {
  name: 'contact.confirm',
  text: `UPDATE citizen_contact SET email = pending_email, email_confirmed = true, pending_email = NULL,
           pending_token_hash = NULL, pending_expires_at = NULL, updated_at = now()
         WHERE subject = $1 AND pending_token_hash = $2 AND pending_expires_at > $3
         RETURNING email`,
};

// A link that could not be sent is withdrawn, so that saving the address again sends a new one.
const DROP_PENDING: PreparedStatement = {
  name: 'contact.drop-pending',
  text: `UPDATE citizen_contact SET pending_email = NULL, pending_token_hash = NULL, pending_expires_at = NULL,
           updated_at = now()
         WHERE subject = $1 AND pending_token_hash = $2`,
};

type Row = Omit<StoredContact, 'mailEvents' | 'smsEvents'> & { mailEvents: string[]; smsEvents: string[] };

/** A stored list may hold an event a later version no longer tells citizens of: it is dropped, not trusted. */
function fromRow(row: Row): StoredContact {
  return { ...row, mailEvents: row.mailEvents.filter(isCitizenEvent), smsEvents: row.smsEvents.filter(isCitizenEvent) };
}

/** The `citizen_contact` table: one record per citizen, by pivot subject. */
@Injectable()
export class CitizenContactRepository {
  constructor(private readonly sql: Sql) {}

  async find(subject: string): Promise<StoredContact | undefined> {
    const row = (await this.sql.query<Row & Record<string, unknown>>(FIND, [subject]))[0];
    return row === undefined ? undefined : fromRow(row);
  }

  /** Creates the record; one that exists is left as it is. */
  async insertIfAbsent(subject: string, first: FirstContact): Promise<void> {
    await this.sql.query(INSERT_IF_ABSENT, [
      subject,
      first.email,
      first.emailConfirmed,
      first.lang,
      first.mailEvents,
      first.smsEvents,
    ]);
  }

  /** Reads the record under a row lock, lets `decide` compute the new one, and writes it: edits never interleave. */
  edit<T>(subject: string, decide: (current: StoredContact | undefined) => { row: ContactRow; result: T }): Promise<T> {
    return this.sql.transaction(async (tx: SqlTransaction) => {
      const found = (await tx.query<Row & Record<string, unknown>>(FIND_FOR_UPDATE, [subject]))[0];
      const { row, result } = decide(found === undefined ? undefined : fromRow(found));
      await tx.query(SAVE, [
        subject,
        row.email,
        row.emailConfirmed,
        row.pendingEmail,
        row.pendingTokenHash,
        row.pendingExpiresAt,
        row.mobile,
        row.lang,
        row.mailEvents,
        row.smsEvents,
      ]);
      return result;
    });
  }

  /** Withdraws the pending address if its token is still `tokenHash`. */
  async dropPending(subject: string, tokenHash: string): Promise<void> {
    await this.sql.query(DROP_PENDING, [subject, tokenHash]);
  }

  /** Makes the pending address the confirmed one if `tokenHash` is still pending at `now`; the address, or undefined. */
  async confirm(subject: string, tokenHash: string, now: Date): Promise<string | undefined> {
    return (await this.sql.query<{ email: string }>(CONFIRM, [subject, tokenHash, now]))[0]?.email;
  }
}
