/**
 * The outbox: mail is never sent from a request. The event that causes a mail writes its
 * outbox row in its own transaction (so a mail exists exactly when its event was committed),
 * and the sender (functions/mail/sender.ts) delivers due rows later. Runs in Node and Workers.
 */
import { and, desc, isNotNull, isNull, sql } from 'drizzle-orm';
import { complaints, outbox } from '../../db/schema.ts';
import { AUTOMATIC_MAIL_HEADERS, maskEmail } from '../../src/domain/complaint-mail.ts';
import { decryptJson, encryptJson } from '../crypto.ts';
import type { Database } from '../db.ts';

export type OutboxRow = typeof outbox.$inferSelect;

/** What mail needs from the runtime: the site's public address, the base of every link in a mail. */
export interface MailSettings {
  /** SITE_URL, or locally the address the server is served at (no trailing slash). */
  siteUrl: string;
  /** How queued mail leaves (shown to admins), e.g. "SMTP（mail.example.org）"; undefined when nothing sends it. */
  delivery?: string | undefined;
}

export interface NewMail {
  kind: string;
  complaintId?: string | undefined;
  to: string;
  subject: string;
  text: string;
  headers?: Record<string, string> | undefined;
}

/** The recipient's encryption context: a ciphertext copied onto another row does not decrypt. */
const recipientContext = (id: string) => `outbox:${id}`;

/** An outbox row ready to insert (in the caller's transaction): due at once, recipient encrypted. */
export async function outboxValues(key: CryptoKey, mail: NewMail, at: Date): Promise<typeof outbox.$inferInsert> {
  const id = crypto.randomUUID();
  const iso = at.toISOString();
  return {
    id,
    kind: mail.kind,
    complaintId: mail.complaintId ?? null,
    recipientCiphertext: await encryptJson(key, mail.to, recipientContext(id)),
    subject: mail.subject,
    body: mail.text,
    headers: { ...AUTOMATIC_MAIL_HEADERS, ...mail.headers },
    createdAt: iso,
    nextAttemptAt: iso,
    attempts: 0,
  };
}

export function recipientOf(key: CryptoKey, row: Pick<OutboxRow, 'id' | 'recipientCiphertext'>): Promise<string> {
  return decryptJson<string>(key, row.recipientCiphertext, recipientContext(row.id));
}

export type OutboxState = 'pending' | 'sent' | 'failed';

/** Sent; given up (no next attempt, not sent); otherwise still to be sent. */
export function outboxState(row: Pick<OutboxRow, 'sentAt' | 'nextAttemptAt'>): OutboxState {
  return row.sentAt ? 'sent' : row.nextAttemptAt ? 'pending' : 'failed';
}

export interface OutboxListEntry {
  id: string;
  kind: string;
  reference: string | null;
  complaintId: string | null;
  /** The recipient masked (z***@example.org), never in full. */
  recipient: string;
  subject: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

export const OUTBOX_FILTERS = ['all', 'pending', 'sent', 'failed'] as const;
export type OutboxFilter = (typeof OUTBOX_FILTERS)[number];

/** The outbox as staff see it, newest first: masked recipients, never bodies (they hold reporters' tracking links). */
export async function listOutbox(db: Database, key: CryptoKey, filter: OutboxFilter = 'all', limit = 200): Promise<{ entries: OutboxListEntry[]; counts: Record<OutboxState, number> }> {
  const where =
    filter === 'sent' ? isNotNull(outbox.sentAt) : filter === 'pending' ? and(isNull(outbox.sentAt), isNotNull(outbox.nextAttemptAt)) : filter === 'failed' ? and(isNull(outbox.sentAt), isNull(outbox.nextAttemptAt)) : undefined;
  const [rows, countRows] = await Promise.all([
    db
      .select({ row: outbox, reference: complaints.reference })
      .from(outbox)
      .leftJoin(complaints, sql`${complaints.id} = ${outbox.complaintId}`)
      .where(where)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(limit),
    db
      .select({
        sent: sql<number>`coalesce(sum(${outbox.sentAt} is not null), 0)`,
        pending: sql<number>`coalesce(sum(${outbox.sentAt} is null and ${outbox.nextAttemptAt} is not null), 0)`,
        failed: sql<number>`coalesce(sum(${outbox.sentAt} is null and ${outbox.nextAttemptAt} is null), 0)`,
      })
      .from(outbox),
  ]);
  const entries = await Promise.all(
    rows.map(async ({ row, reference }) => {
      let recipient: string;
      try {
        recipient = maskEmail(await recipientOf(key, row));
      } catch {
        recipient = '（无法解密）';
      }
      return {
        id: row.id, kind: row.kind, reference, complaintId: row.complaintId, recipient, subject: row.subject, state: outboxState(row),
        attempts: row.attempts, lastError: row.lastError, createdAt: row.createdAt, nextAttemptAt: row.nextAttemptAt, sentAt: row.sentAt,
      };
    }),
  );
  const c = countRows[0] ?? { sent: 0, pending: 0, failed: 0 };
  return { entries, counts: { sent: Number(c.sent), pending: Number(c.pending), failed: Number(c.failed) } };
}
