/** The deadline reminder schedule (src/domain/reminders.ts), its recipients and its mail. */
import { describe, expect, it } from 'vitest';
import { clockColumns } from '../../src/domain/complaint-handling.ts';
import { reminderMail } from '../../src/domain/reminder-mail.ts';
import { PASSED_WITHIN_DAYS, REMIND_BEFORE_DAYS, reminderClock, reminderDue, reminderRecipients, reminderWindow, type ReminderStaff } from '../../src/domain/reminders.ts';

const DAY = 86_400_000;
const due = '2026-12-16T02:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(due) + ms);

describe('reminderDue', () => {
  it('calls for nothing until REMIND_BEFORE_DAYS before the deadline', () => {
    expect(REMIND_BEFORE_DAYS).toBe(3);
    expect(reminderDue(due, at(-30 * DAY))).toBeUndefined();
    expect(reminderDue(due, at(-3 * DAY - 1))).toBeUndefined();
  });

  it('calls for the `before` reminder from 3 days ahead up to the deadline’s instant', () => {
    expect(reminderDue(due, at(-3 * DAY))).toBe('before');
    expect(reminderDue(due, at(-DAY))).toBe('before');
    expect(reminderDue(due, at(0))).toBe('before');
  });

  it('calls for the `passed` reminder once the deadline has passed, for PASSED_WITHIN_DAYS', () => {
    expect(reminderDue(due, at(1))).toBe('passed');
    expect(reminderDue(due, at(PASSED_WITHIN_DAYS * DAY))).toBe('passed');
    expect(reminderDue(due, at(PASSED_WITHIN_DAYS * DAY + 1))).toBeUndefined();
  });

  it('is about the deadline as the complaint stores it: 15 days from submission, then 60 (+ extension) from acceptance', () => {
    const submittedAt = '2026-12-01T02:00:00.000Z';
    const decide = clockColumns({ state: 'submitted', submittedAt }).dueBy!;
    expect(decide).toBe(due);
    expect(reminderClock('submitted')).toBe('decide');
    const accepted = clockColumns({ state: 'in-progress', submittedAt, acceptedAt: '2026-12-10T00:00:00.000Z', extendedDays: 10 }).dueBy!;
    expect(accepted).toBe('2027-02-18T00:00:00.000Z');
    expect(reminderClock('in-progress')).toBe('close');
    expect(reminderClock('partially-closed')).toBe('close');
    expect(reminderClock('closed')).toBeUndefined();
    expect(reminderClock('rejected')).toBeUndefined();
  });

  it('reads every deadline the rule can call for, and no other, as one window', () => {
    const now = new Date('2026-12-20T00:00:00.000Z');
    const { from, to } = reminderWindow(now);
    expect(reminderDue(from, now)).toBe('passed');
    expect(reminderDue(new Date(Date.parse(from) - 1).toISOString(), now)).toBeUndefined();
    expect(reminderDue(to, now)).toBe('before');
    expect(reminderDue(new Date(Date.parse(to) + 1).toISOString(), now)).toBeUndefined();
  });
});

describe('reminderRecipients', () => {
  const staff: ReminderStaff[] = [
    { id: '1', role: 'admin', unit: null, disabled: false, email: 'Admin@example.org' },
    { id: '2', role: 'admin', unit: null, disabled: true, email: 'gone@example.org' },
    { id: '3', role: 'handler', unit: 'u1', disabled: false, email: 'h1@example.org' },
    { id: '4', role: 'viewer', unit: 'u1', disabled: false, email: 'v1@example.org' },
    { id: '5', role: 'handler', unit: 'u2', disabled: false, email: 'h2@example.org' },
    { id: '6', role: 'handler', unit: 'u1', disabled: false, email: null },
    { id: '7', role: 'admin', unit: 'u1', disabled: false, email: 'h1@EXAMPLE.org' },
  ];
  it('mails the triage staff (enabled admins, whatever their unit) while a complaint has no unit', () => {
    expect(reminderRecipients(staff, null)).toEqual(['admin@example.org', 'h1@example.org']);
  });
  it('mails the unit’s staff who may act (not read-only accounts, nor other units), each address once', () => {
    expect(reminderRecipients(staff, 'u1')).toEqual(['h1@example.org']);
    expect(reminderRecipients(staff, 'u3')).toEqual([]);
  });
});

describe('reminderMail', () => {
  const facts = { reference: '2026-000123', clock: 'close' as const, dueBy: due, stateLabel: '办理中', unitName: '武威市住房和城乡建设局', extendedDays: 10, staffUrl: 'https://portal.example.org/staff/complaints/abc/' };
  it('names the complaint by its reference, the deadline in China time, and links to the staff page', () => {
    const m = reminderMail({ ...facts, kind: 'before' });
    expect(m.subject).toBe('【督察整改公开平台】投诉 2026-000123 的办结期限即将届满');
    expect(m.text).toContain('办结期限为 2026年12月16日 10:00，距届满已不足 3 天。');
    expect(m.text).toContain('已延长 10 天');
    expect(m.text).toContain('承办单位：武威市住房和城乡建设局');
    expect(m.text).toContain(facts.staffUrl);
  });
  it('says a passed deadline has passed, and a decision clock is about accepting', () => {
    const m = reminderMail({ ...facts, clock: 'decide', kind: 'passed', unitName: undefined, stateLabel: '已提交' });
    expect(m.subject).toBe('【督察整改公开平台】投诉 2026-000123 已超过受理期限');
    expect(m.text).toContain('受理期限已于 2026年12月16日 10:00 届满，至今尚未作出是否受理的决定。');
    expect(m.text).toContain('尚未转办（由管理员分流）');
  });
});
