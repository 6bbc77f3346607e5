/**
 * Staff's deadline reminders (functions/reminders.ts) on a real libSQL file, delivered to a real
 * SMTP server on loopback: the triage staff before and after the 15-day decision deadline, the
 * assigned unit's staff before the 60-day closing deadline and again for an extended one; each
 * once, under repeated and concurrent runs; never to read-only accounts, other units or
 * disabled accounts; never with the reporter's contact or words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { auditLog, complaintReminders, complaints, outbox } from '../../db/schema.ts';
import { sendDue } from '../../functions/mail/sender.ts';
import { smtpTransport } from '../../functions/mail/smtp.ts';
import { queueReminders, type ReminderDeps } from '../../functions/reminders.ts';
import { setStaffDisabled, setStaffEmail, staffEmailOf } from '../../functions/staff-accounts.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { postJson, testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';
import { staffDesk, type StaffDesk } from '../support/handling.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

const SITE = 'https://portal.example.org';
const FROM = '督察整改公开平台 <noreply@portal.example.org>';
const DAY = 86_400_000;
const PASSWORD = 'correct horse battery staple';
const MANY = { intake: { max: 1000, windowSeconds: 600 }, intakeRefused: { max: 1000, windowSeconds: 600 } };

let api: TestApi;
let desk: StaffDesk;
let smtp: TestSmtp;
let transport: ReturnType<typeof smtpTransport>;
let deps: ReminderDeps;

beforeAll(async () => {
  api = await testApi({ mail: { siteUrl: SITE }, limits: MANY });
  deps = { db: api.db, contactKey: api.contactKey, reference: testReference(), mail: { siteUrl: SITE } };
  desk = await staffDesk(api.app, api.db, 'triage');
  await setStaffEmail(api.db, api.contactKey, 'triage', 'Triage@Example.org');
  const staff = [
    { username: 'housing', role: 'handler', unit: 'wuwei-housing', email: 'housing@example.org' },
    { username: 'housing-viewer', role: 'viewer', unit: 'wuwei-housing', email: 'viewer@example.org' },
    { username: 'other-unit', role: 'handler', unit: 'wuwei-ecology', email: 'eco@example.org' },
    { username: 'former', role: 'admin', unit: undefined, email: 'former@example.org' },
  ] as const;
  for (const s of staff) {
    await createStaffUser(api.db, { username: s.username, displayName: s.username, role: s.role, unit: s.unit, password: PASSWORD });
    await setStaffEmail(api.db, api.contactKey, s.username, s.email);
  }
  await setStaffDisabled(api.db, 'former', true);
  smtp = await startSmtp();
  transport = smtpTransport(smtp.url);
});
afterAll(async () => {
  transport?.close();
  await smtp.close();
  api.close();
});

let submitted = 0;
async function submit() {
  // Each a complaint of its own (the same body without a key would be a retry of the first).
  const body = validComplaint({ anonymous: false, name: '王五', email: 'reporter@example.net', phone: '13800000000', notifyByEmail: true });
  const res = await postJson(api.app, '/api/complaints', body, { 'Idempotency-Key': `reminders-test-${++submitted}` });
  expect(res.status).toBe(201);
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  return (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
}
const rowById = async (id: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.id, id) }))!;
const remindersOf = (id: string) => api.db.select().from(complaintReminders).where(eq(complaintReminders.complaintId, id));
const reminderMailOf = (id: string) => api.db.select().from(outbox).where(eq(outbox.complaintId, id)).then((rows) => rows.filter((r) => r.kind.startsWith('reminder:')));
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

/** Sends what is due (reporters' mails too; reminders are queued at the tests' later times) and returns the reminders that arrived. */
async function deliver() {
  const before = smtp.received.length;
  const report = await sendDue(api.db, api.contactKey, transport, { from: FROM, limit: 500, now: new Date(Date.now() + 400 * DAY) });
  expect(report.retrying + report.gaveUp).toBe(0);
  return smtp.received.slice(before).filter((m) => (m.mail.subject ?? '').startsWith('【督察整改公开平台】投诉 '));
}

describe('the decision deadline (15 days from submission)', () => {
  it('mails the triage staff 3 days before it, once, however often and however many runs go', async () => {
    const row = await submit();
    const dueBy = row.dueBy!;
    expect(await queueReminders(deps, shift(dueBy, -4 * DAY))).toMatchObject({ queued: 0 });
    const at = shift(dueBy, -2 * DAY);
    const runs = await Promise.all([queueReminders(deps, at), queueReminders(deps, at), queueReminders(deps, at)]);
    expect(runs.reduce((n, r) => n + r.queued, 0)).toBe(1);
    expect((await queueReminders(deps, shift(dueBy, -DAY))).queued).toBe(0);
    expect(await remindersOf(row.id)).toMatchObject([{ clock: 'decide', kind: 'before', dueAt: dueBy, unit: null, recipients: 1 }]);

    const got = await deliver();
    expect(got).toHaveLength(1);
    const [m] = got;
    // Triage is the admins: the enabled one with an address (lowercased), not the disabled one.
    expect(m!.envelopeTo).toEqual(['triage@example.org']);
    expect(m!.mail.subject).toBe(`【督察整改公开平台】投诉 ${row.reference} 的受理期限即将届满`);
    expect(m!.text).toContain(`${SITE}/staff/complaints/${row.id}/`);
    expect(m!.text).toContain(`受理编号为 ${row.reference} 的投诉`);
    // Never the reporter's contact, secret or words.
    for (const secret of ['reporter@example.net', '王五', '13800000000', row.trackingCode, row.description.slice(0, 10)]) expect(m!.text).not.toContain(secret);
  });

  it('mails them again once it has passed, once; not after PASSED_WITHIN_DAYS', async () => {
    const row = await submit();
    const dueBy = row.dueBy!;
    // (The first test's complaint, submitted moments earlier, is due then too.)
    await queueReminders(deps, shift(dueBy, 8 * DAY));
    expect(await remindersOf(row.id)).toEqual([]);
    await queueReminders(deps, shift(dueBy, DAY));
    await queueReminders(deps, shift(dueBy, 2 * DAY));
    expect((await remindersOf(row.id)).map((r) => r.kind)).toEqual(['passed']);
    expect((await reminderMailOf(row.id)).map((m) => m.kind)).toEqual(['reminder:passed']);
    const got = await deliver();
    expect(got.map((m) => m.mail.subject)).toContain(`【督察整改公开平台】投诉 ${row.reference} 已超过受理期限`);
  });
});

describe('the closing deadline (60 days from acceptance)', () => {
  it('mails the assigned unit’s staff who may act, and again for an extended deadline', async () => {
    const row = await submit();
    await desk.act(row.trackingCode, { action: 'accept' });
    await desk.act(row.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
    const assigned = await rowById(row.id);
    const closeBy = assigned.dueBy!;
    expect(closeBy).toBe(assigned.closeBy);
    expect((await queueReminders(deps, shift(closeBy, -DAY))).queued).toBe(1);
    const got = await deliver();
    // The unit's handler only: not its read-only account, not another unit's handler.
    expect(got.map((m) => m.envelopeTo)).toEqual([['housing@example.org']]);
    expect(got[0]!.text).toContain('承办单位：市住建局');

    await desk.act(row.trackingCode, { action: 'extend', days: '10', reason: '需要补充监测数据。' });
    const extended = (await rowById(row.id)).dueBy!;
    expect(Date.parse(extended) - Date.parse(closeBy)).toBe(10 * DAY);
    // The new deadline is reminded of afresh; the old one is not again.
    expect((await queueReminders(deps, shift(extended, -DAY))).queued).toBe(1);
    expect((await queueReminders(deps, shift(extended, -DAY / 2))).queued).toBe(0);
    expect((await remindersOf(row.id)).map((r) => [r.clock, r.kind, r.dueAt])).toEqual([
      ['close', 'before', closeBy],
      ['close', 'before', extended],
    ]);
    const [again] = await deliver();
    expect(again!.text).toContain('已延长 10 天');
  });

  it('says nothing of a closed complaint', async () => {
    const row = await submit();
    await desk.act(row.trackingCode, { action: 'accept' });
    await desk.act(row.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
    const closeBy = (await rowById(row.id)).closeBy!;
    await desk.act(row.trackingCode, { action: 'close', verdict: '属实', reply: '已责令整改。' });
    expect((await rowById(row.id)).dueBy).toBeNull();
    expect((await queueReminders(deps, shift(closeBy, -DAY))).queued).toBe(0);
    expect(await reminderMailOf(row.id)).toEqual([]);
  });

  it('waits for someone to mail: a unit without addresses is reminded once one is set', async () => {
    const row = await submit();
    await desk.act(row.trackingCode, { action: 'accept' });
    await desk.act(row.trackingCode, { action: 'assign', unit: 'wuwei-market' });
    const closeBy = (await rowById(row.id)).dueBy!;
    const at = shift(closeBy, -DAY);
    expect(await queueReminders(deps, at)).toMatchObject({ queued: 0, unreachable: 1 });
    expect(await remindersOf(row.id)).toEqual([]);
    await createStaffUser(api.db, { username: 'gansu', displayName: 'gansu', role: 'handler', unit: 'wuwei-market', password: PASSWORD });
    await setStaffEmail(api.db, api.contactKey, 'gansu', 'gansu@example.org');
    expect(await queueReminders(deps, at)).toMatchObject({ queued: 1, mails: 1 });
    expect((await deliver()).map((m) => m.envelopeTo)).toEqual([['gansu@example.org']]);
  });
});

describe('staff addresses', () => {
  it('are stored encrypted, bound to the account, audited masked, and can be removed', async () => {
    const user = (await api.db.query.staffUsers.findFirst({ where: (u, { eq }) => eq(u.username, 'housing') }))!;
    expect(user.emailCiphertext).toMatch(/^v1\./);
    expect(user.emailCiphertext).not.toContain('housing@');
    expect(await staffEmailOf(api.contactKey, user)).toBe('housing@example.org');
    // Copied onto another account, it does not decrypt.
    expect(await staffEmailOf(api.contactKey, { id: 'someone-else', emailCiphertext: user.emailCiphertext })).toBeNull();
    const audit = await api.db.select().from(auditLog).where(like(auditLog.action, '%staff_email'));
    expect(audit.map((a) => a.detail)).toContain('housing：h***@example.org');
    await expect(setStaffEmail(api.db, api.contactKey, 'housing', 'not an address')).rejects.toThrow(/电子邮箱/);
    await setStaffEmail(api.db, api.contactKey, 'housing-viewer', null);
    expect((await api.db.query.staffUsers.findFirst({ where: (u, { eq }) => eq(u.username, 'housing-viewer') }))!.emailCiphertext).toBeNull();
  });
});
