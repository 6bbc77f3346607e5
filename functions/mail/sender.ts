/**
 * Delivers due outbox rows through a transport (SMTP in Node, Cloudflare's send_email binding
 * on Workers), one attempt each: a success marks the row sent and drops its text; a failure is recorded (attempts,
 * last error with addresses masked) and retried with exponential back-off, until MAX_ATTEMPTS,
 * after which the row is given up (no next attempt) and shows as failed to staff.
 *
 * Several senders may run at once (the Node server's timer, `npm run notify`, overlapping cron
 * runs): each row is claimed first by moving its next attempt ahead (compare-and-set), so only
 * one sender tries it. Delivery is at least once: a sender that dies after the transport
 * accepted a mail but before the row was marked leaves it to be sent again after the claim.
 */
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import { outbox } from '../../db/schema.ts';
import { maskEmailsIn } from '../../src/domain/complaint-mail.ts';
import type { Database } from '../db.ts';
import { recipientOf, type OutboxRow } from './outbox.ts';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** Something that sends one mail, or throws. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

/** Attempts before a row is given up. With the delays below (1 + 2 + … + 256 minutes): about 8½ hours of trying. */
export const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 6 * 3600_000;
/** How long a claimed row is left to its sender before another may try it. */
const CLAIM_MS = 10 * 60_000;
/** Longest error text kept. */
const MAX_ERROR = 500;

/** Wait after the n-th failed attempt: 1, 2, 4 … minutes, at most 6 hours. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_MS);
}

export interface SendOptions {
  /** The From address (MAIL_FROM). */
  from: string;
  now?: Date;
  /** Most rows sent in one run (the rest wait for the next). */
  limit?: number;
  maxAttempts?: number;
}

export interface SendReport {
  sent: number;
  /** Failed this time, to be tried again. */
  retrying: number;
  /** Failed for the last time: given up. */
  gaveUp: number;
}

/** Sends what is due now. Never throws for a mail's failure: that is recorded on its row. */
export async function sendDue(db: Database, key: CryptoKey, transport: MailTransport, options: SendOptions): Promise<SendReport> {
  const now = options.now ?? new Date();
  const iso = now.toISOString();
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const due = await db
    .select()
    .from(outbox)
    .where(and(isNull(outbox.sentAt), lte(outbox.nextAttemptAt, iso)))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.createdAt))
    .limit(options.limit ?? 50);
  const report: SendReport = { sent: 0, retrying: 0, gaveUp: 0 };
  for (const row of due) {
    if (!(await claim(db, row, new Date(now.getTime() + CLAIM_MS).toISOString()))) continue;
    const attempts = row.attempts + 1;
    try {
      const to = await recipientOf(key, row);
      await transport.send({ from: options.from, to, subject: row.subject, text: row.body, headers: row.headers });
    } catch (error) {
      const gaveUp = attempts >= maxAttempts;
      await db
        .update(outbox)
        .set({ attempts, lastError: describe(error), nextAttemptAt: gaveUp ? null : new Date(now.getTime() + retryDelayMs(attempts)).toISOString() })
        .where(eq(outbox.id, row.id));
      if (gaveUp) report.gaveUp++;
      else report.retrying++;
      continue;
    }
    // A sent mail's text is not kept: a reporter's mail holds their tracking link, a subscriber's
    // their one-time confirmation link, which nobody else should have; the outbox is no second copy.
    await db.update(outbox).set({ attempts, sentAt: iso, nextAttemptAt: null, lastError: null, body: '' }).where(eq(outbox.id, row.id));
    report.sent++;
  }
  return report;
}

/** Takes a row for this sender: only if nobody moved its next attempt since it was read. */
async function claim(db: Database, row: OutboxRow, until: string): Promise<boolean> {
  const claimed = await db
    .update(outbox)
    .set({ nextAttemptAt: until })
    .where(and(eq(outbox.id, row.id), eq(outbox.nextAttemptAt, row.nextAttemptAt!), isNull(outbox.sentAt)))
    .returning({ id: outbox.id });
  return claimed.length === 1;
}

/** An error as staff may read it: its message, addresses masked, shortened. */
function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; responseCode?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return maskEmailsIn(`${code}${message}`).slice(0, MAX_ERROR);
}

/** Puts mail that was given up back in the queue, due now, with its attempts counted afresh (after a broken SMTP setting was fixed). */
export async function retryFailed(db: Database, now = new Date()): Promise<number> {
  const rows = await db
    .update(outbox)
    .set({ nextAttemptAt: now.toISOString(), attempts: 0 })
    .where(and(isNull(outbox.sentAt), isNull(outbox.nextAttemptAt)))
    .returning({ id: outbox.id });
  return rows.length;
}
