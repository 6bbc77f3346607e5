/**
 * Deadline reminders for staff (src/domain/reminders.ts has the rule): queued in the outbox by the
 * periodic mail job, before it sends (the Node server's timer, `npm run notify`, the Worker's Cron
 * Trigger).
 *
 * - **Reads one index range.** The complaints a run may remind of are those whose running clock's
 *   deadline (`due_by`) lies between PASSED_WITHIN_DAYS ago and REMIND_BEFORE_DAYS ahead: one range
 *   of `complaints_due_idx`, whatever the number of complaints; those already reminded of are
 *   left out there by the key of `complaint_reminders`.
 * - **Once.** The reminder's row (complaint, clock, kind, deadline) and its outbox rows are written
 *   in one transaction, the row first with `on conflict do nothing`: a second run (a retry, the
 *   timer and `npm run notify` at once, overlapping cron runs) finds the key taken and queues nothing.
 * - **To whom.** The staff of the assigned unit, or the triage staff while unassigned
 *   (`reminderRecipients`), at their own address (`npm run staff -- set-email`). A reminder with
 *   nobody to mail is not recorded: it goes out once someone gives an address, while it is still due.
 */
import { sql } from 'drizzle-orm';
import { complaintReminders, outbox } from '../db/schema.ts';
import { complaintStateLabel } from '../src/domain/complaint-states.ts';
import { reminderMail } from '../src/domain/reminder-mail.ts';
import { reminderClock, reminderDue, reminderRecipients, reminderWindow } from '../src/domain/reminders.ts';
import { unitName, type Reference } from '../src/site/reference.ts';
import { toStatement, type Database } from './db.ts';
import { outboxValues, type MailSettings } from './mail/outbox.ts';
import { reachableStaff } from './staff-accounts.ts';

export interface ReminderDeps {
  db: Database;
  contactKey: CryptoKey;
  reference: Reference;
  /** The site's address, for the staff link; without it no reminder can be made. */
  mail?: MailSettings | undefined;
}

export interface ReminderReport {
  /** Reminders queued this run (each one mail per recipient). */
  queued: number;
  /** Mails queued (outbox rows). */
  mails: number;
  /** Reminders due with nobody to mail (no account of the unit, or of triage, has an address). */
  unreachable: number;
}

/** Most complaints read in one run; the rest wait for the next (runs are every 30 seconds in Node). */
export const REMINDER_BATCH = 500;

/** Queues the reminders due at `now` that were not queued before. */
export async function queueReminders(deps: ReminderDeps, now: Date, limit = REMINDER_BATCH): Promise<ReminderReport> {
  const report: ReminderReport = { queued: 0, mails: 0, unreachable: 0 };
  if (!deps.mail) return report;
  const { db } = deps;
  const iso = now.toISOString();
  const { from, to } = reminderWindow(now);
  // The kind a deadline calls for now is decided in SQL as in reminderDue (before: now ≤ due_by),
  // so that reminders already queued are skipped in the index range, not read.
  const due = await db.all<{ id: string; reference: string; state: string; unit: string | null; due_by: string; extended_days: number | null }>(sql`
    select c.id as id, c.reference as reference, c.state as state, c.assigned_unit as unit, c.due_by as due_by, c.extended_days as extended_days
    from complaints c indexed by complaints_due_idx
    where c.due_by is not null and c.due_by >= ${from} and c.due_by <= ${to}
      and not exists (select 1 from ${complaintReminders} r where r.complaint_id = c.id and r.due_at = c.due_by
        and r.kind = (case when c.due_by >= ${iso} then 'before' else 'passed' end))
    order by c.due_by limit ${limit}`);
  if (!due.length) return report;
  const staff = await reachableStaff(db, deps.contactKey);
  const base = deps.mail.siteUrl.replace(/\/+$/, '');
  for (const c of due) {
    const clock = reminderClock(c.state);
    const kind = reminderDue(c.due_by, now);
    if (!clock || !kind) continue;
    const recipients = reminderRecipients(staff, c.unit);
    if (!recipients.length) {
      report.unreachable++;
      continue;
    }
    const text = reminderMail({
      reference: c.reference,
      clock,
      kind,
      dueBy: c.due_by,
      stateLabel: complaintStateLabel(c.state),
      unitName: c.unit ? unitName(deps.reference, c.unit) : undefined,
      extendedDays: c.extended_days,
      staffUrl: `${base}/staff/complaints/${c.id}/`,
    });
    const mails = await Promise.all(recipients.map((to) => outboxValues(deps.contactKey, { kind: `reminder:${kind}`, complaintId: c.id, to, subject: text.subject, text: text.text }, now)));
    const tx = await db.$client.transaction('write');
    try {
      const claimed = await tx.execute(
        toStatement(
          db
            .insert(complaintReminders)
            .values({ complaintId: c.id, clock, kind, dueAt: c.due_by, unit: c.unit, recipients: recipients.length, queuedAt: iso })
            .onConflictDoNothing()
            .returning({ id: complaintReminders.complaintId }),
        ),
      );
      if (claimed.rows.length === 0) continue; // another run queued it
      await tx.batch(mails.map((m) => toStatement(db.insert(outbox).values(m))));
      await tx.commit();
      report.queued++;
      report.mails += mails.length;
    } finally {
      tx.close();
    }
  }
  return report;
}
