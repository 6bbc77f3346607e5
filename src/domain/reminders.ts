/**
 * Deadline reminders for staff (issue 15, escalation): the handlers of a complaint are mailed
 * REMIND_BEFORE_DAYS before the deadline of the clock that runs — the decision (15 days from
 * submission) or the closure (60 days from acceptance, with any extension) — and once more when
 * it has passed without the step. Each is sent once per complaint, clock and deadline
 * (functions/reminders.ts keeps the key); an extension is a new deadline, reminded of afresh.
 *
 * Framework-free: the rule, who is mailed and the window the job reads. The mail's words are
 * src/domain/reminder-mail.ts.
 */
import { runningClock } from './complaint-handling.ts';
import type { StaffRole } from './complaint-handling.ts';

/**
 * How long before a deadline the first reminder goes: 3 calendar days (72 hours before the
 * deadline's instant). Calendar, not working days: the statutory clocks themselves count calendar
 * days, and the portal knows no holiday calendar.
 */
export const REMIND_BEFORE_DAYS = 3;
/**
 * A deadline passed longer ago than this is not reminded of: after an outage or on the first run
 * after installation, the backlog of long-overdue complaints is not mailed all at once (the
 * escalation view lists them). It also bounds what each run reads.
 */
export const PASSED_WITHIN_DAYS = 7;

export type ReminderKind = 'before' | 'passed';
export type ReminderClock = 'decide' | 'close';

const DAY_MS = 86_400_000;

/**
 * Which reminder a running clock with deadline `dueBy` calls for at `now`: `before` from
 * REMIND_BEFORE_DAYS ahead up to and including the deadline's instant, `passed` after it for
 * PASSED_WITHIN_DAYS (as `clocks().overdue`, which is `now > dueBy`), none otherwise.
 */
export function reminderDue(dueBy: string, now: Date): ReminderKind | undefined {
  const due = Date.parse(dueBy);
  const t = now.getTime();
  if (Number.isNaN(due)) return undefined;
  if (t <= due) return t >= due - REMIND_BEFORE_DAYS * DAY_MS ? 'before' : undefined;
  return t <= due + PASSED_WITHIN_DAYS * DAY_MS ? 'passed' : undefined;
}

/** The deadlines (`due_by`, ISO) a run at `now` may remind of: one index range. */
export function reminderWindow(now: Date): { from: string; to: string } {
  return { from: new Date(now.getTime() - PASSED_WITHIN_DAYS * DAY_MS).toISOString(), to: new Date(now.getTime() + REMIND_BEFORE_DAYS * DAY_MS).toISOString() };
}

/** The clock a reminder is about, from the complaint's state (the one that runs; none once closed). */
export function reminderClock(state: string): ReminderClock | undefined {
  return runningClock(state) ?? undefined;
}

export interface ReminderStaff {
  id: string;
  role: StaffRole;
  unit: string | null;
  disabled: boolean;
  /** Their e-mail address, if they gave one. */
  email: string | null;
}

/**
 * Who is reminded: while a complaint is with no unit, the triage staff (admins: accepting,
 * refusing and passing on are theirs); once passed on, the staff of that unit who may act on it
 * (handlers and admins of the unit, not read-only accounts). Only enabled accounts with an
 * address; each address once.
 */
export function reminderRecipients(staff: readonly ReminderStaff[], unit: string | null): string[] {
  const chosen = staff.filter((s) => !s.disabled && s.email && (unit ? s.unit === unit && s.role !== 'viewer' : s.role === 'admin'));
  return [...new Set(chosen.map((s) => s.email!.toLowerCase()))];
}
