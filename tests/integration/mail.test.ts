/**
 * Reporter notifications and the outbox, end to end on a real libSQL file and a real SMTP server
 * on loopback (smtp-server; what arrives is parsed by mailparser):
 * - a reporter who gave an address and agreed gets one mail per public step, to that address
 *   only, with the reference number and their tracking link; nobody else gets anything;
 * - a reporter who did not agree, gave no address or reported anonymously gets nothing;
 * - a mail that could not be sent (the SMTP server down) is retried with back-off and sent once
 *   the server is up, each attempt recorded; after the last attempt it is given up and admins see it;
 * - the outbox row exists exactly when its step was committed.
 */
import { controlsOf, markupProblems, shownAsText, tablesOf } from '../support/markup.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, complaintEvents, complaints, errorReports, outbox } from '../../db/schema.ts';
import { disputeByReporter, takeAction } from '../../functions/complaint-service.ts';
import { listOutbox, recipientOf } from '../../functions/mail/outbox.ts';
import { MAX_ATTEMPTS, retryDelayMs, retryFailed, sendDue } from '../../functions/mail/sender.ts';
import { smtpTransport } from '../../functions/mail/smtp.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { postJson, testApi, testReference, validComplaint, validComplaintForm, type TestApi } from '../support/api.ts';
import { staffDesk, type StaffDesk } from '../support/handling.ts';
import { freePort, startSmtp, type TestSmtp } from '../support/smtp.ts';

const SITE = 'https://portal.example.org';
const FROM = '督察整改公开平台 <noreply@portal.example.org>';
const REPORTER = 'reporter@example.net';
/** This file submits many complaints from one test client. */
const MANY = { intake: { max: 1000, windowSeconds: 600 }, intakeRefused: { max: 1000, windowSeconds: 600 } };

let api: TestApi;
let desk: StaffDesk;
let smtp: TestSmtp;
let transport: ReturnType<typeof smtpTransport>;

beforeAll(async () => {
  api = await testApi({ mail: { siteUrl: SITE, delivery: 'SMTP（测试）' }, limits: MANY });
  desk = await staffDesk(api.app, api.db, 'mail-desk');
  smtp = await startSmtp();
  transport = smtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  api.close();
});

const send = (now = new Date()) => sendDue(api.db, api.contactKey, transport, { from: FROM, now });

async function submit(overrides: Record<string, unknown>) {
  const res = await postJson(api.app, '/api/complaints', validComplaint(overrides));
  expect(res.status).toBe(201);
  return (await res.json()) as { reference: string; trackingCode: string; trackingCodeDisplay: string };
}
const named = (overrides: Record<string, unknown> = {}) => ({ anonymous: false, name: '李四', email: REPORTER, notifyByEmail: true, ...overrides });
const rowOf = async (code: string) => (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }))!;
const outboxOf = async (code: string) => api.db.select().from(outbox).where(eq(outbox.complaintId, (await rowOf(code)).id));

/** Sends what is due and returns what arrived from this send. */
async function deliver() {
  const before = smtp.received.length;
  const report = await send();
  expect(report.retrying + report.gaveUp).toBe(0);
  return smtp.received.slice(before);
}

describe('a reporter who asked for mail', () => {
  it('gets one mail per public step, to their address only, with the reference number and their tracking link', async () => {
    const receipt = await submit(named());
    const link = `${SITE}/complaints/track/${receipt.trackingCode}/`;
    const expectMail = async (subject: RegExp, ...lines: (string | RegExp)[]) => {
      const got = await deliver();
      expect(got).toHaveLength(1);
      const [m] = got;
      expect(m!.envelopeTo).toEqual([REPORTER]);
      expect(m!.mail.to && 'value' in m!.mail.to ? m!.mail.to.value.map((a) => a.address) : []).toEqual([REPORTER]);
      expect(m!.envelopeFrom).toBe('noreply@portal.example.org');
      expect(m!.mail.subject).toMatch(subject);
      expect(m!.mail.subject).toContain(`受理编号 ${receipt.reference}`);
      expect(m!.text).toContain(`受理编号：${receipt.reference}`);
      expect(m!.text).toContain(link);
      expect(m!.mail.headers.get('auto-submitted')).toBe('auto-generated');
      for (const line of lines) expect(m!.text).toMatch(line);
      return m!;
    };

    const received = await expectMail(/您的投诉已收到/, '当前状态：已提交', `查询码：${receipt.trackingCodeDisplay}`, /前决定是否受理/);
    // The reference number is the one drawn in the intake transaction, not a placeholder.
    expect(received.mail.subject).toMatch(/受理编号 \d{4}-\d{6}）$/);

    await desk.act(receipt.trackingCode, { action: 'accept' });
    await expectMail(/已受理/, '当前状态：已受理', /办结期限：\d{4}年/);
    await desk.act(receipt.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
    const unit = testReference().units.find((u) => u.id === 'wuwei-housing')!.name;
    await expectMail(/已转交承办单位/, `已转交${unit}办理`);
    await desk.act(receipt.trackingCode, { action: 'extend', days: '20', reason: '需等待第三方监测报告' });
    await expectMail(/办理期限已延长/, '延长 20 天', '延期理由：需等待第三方监测报告');
    await desk.act(receipt.trackingCode, { action: 'close-partially', verdict: '部分属实', reply: '已责令企业停产整改，正在复查。' });
    await expectMail(/阶段性办结/, '核查结论：部分属实', '办理答复：已责令企业停产整改，正在复查。', '如对办理结果有异议');
    await desk.act(receipt.trackingCode, { action: 'close', verdict: '属实', reply: '复查合格，已恢复生产。' });
    await expectMail(/您的投诉已办结/, '核查结论：属实', '办理答复：复查合格，已恢复生产。', '当前状态：已办结');

    // The reporter's own dispute is not mailed back to them; staff reopening it is.
    await disputeByReporter(api.db, await rowOf(receipt.trackingCode), '企业夜间仍在排放。', new Date());
    expect(await deliver()).toHaveLength(0);
    await desk.act(receipt.trackingCode, { action: 'reopen', reason: '投诉人反映夜间仍有排放，重新核查。' });
    await expectMail(/重新办理/, '理由：投诉人反映夜间仍有排放，重新核查。', '当前状态：办理中');

    // Every row was sent once, and records it.
    const rows = await outboxOf(receipt.trackingCode);
    expect(rows.map((r) => r.kind)).toEqual(['received', 'accept', 'assign', 'extend', 'close-partially', 'close', 'reopen'].map((k) => `complaint:${k}`));
    for (const r of rows) expect(r).toMatchObject({ attempts: 1, lastError: null, nextAttemptAt: null });
    // The address is encrypted at rest.
    expect(JSON.stringify(rows)).not.toContain(REPORTER);
    expect(await recipientOf(api.contactKey, rows[0]!)).toBe(REPORTER);
  });

  it('is told of a refusal with its reason, and of a merge by the earlier reference number only', async () => {
    const first = await submit({ description: '第一份投诉：河道有油污漂浮，持续数日。' });
    const refused = await submit(named({ email: 'refused@example.net' }));
    const merged = await submit(named({ email: 'merged@example.net' }));
    await deliver();
    await desk.act(refused.trackingCode, { action: 'reject', reason: '不属于生态环境部门职责范围' });
    const [r] = await deliver();
    expect(r!.envelopeTo).toEqual(['refused@example.net']);
    expect(r!.mail.subject).toContain('不予受理');
    expect(r!.text).toContain('理由：不属于生态环境部门职责范围');

    await desk.act(merged.trackingCode, { action: 'mark-duplicate', of: first.reference });
    const [m] = await deliver();
    expect(m!.envelopeTo).toEqual(['merged@example.net']);
    expect(m!.text).toContain(`与受理编号 ${first.reference} 的投诉`);
    // Nothing of the other complaint but its public number: not its text, not its tracking code.
    expect(m!.text).not.toContain('河道有油污');
    expect(m!.text).not.toContain(first.trackingCode);
    expect(m!.text).toContain(merged.trackingCode);
  });

  it('can ask on the complaint form', async () => {
    const form = { ...validComplaintForm('mail-form-key-0000001'), email: 'form@example.net', notifyByEmail: '1' };
    const res = await api.app.request('/complaints/new/', { method: 'POST', body: new URLSearchParams(Object.entries(form).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))) });
    expect(res.status).toBe(303);
    const code = res.headers.get('Location')!.match(/track\/([A-Z0-9]+)\//)![1]!;
    const [m] = await deliver();
    expect(m!.envelopeTo).toEqual(['form@example.net']);
    expect(m!.text).toContain(`${SITE}/complaints/track/${code}/`);
  });

  it('stops at once when the holder of the tracking link asks, withdrawing what was queued', async () => {
    const r = await submit(named({ email: 'stranger@example.net' }));
    const [received] = await deliver();
    expect(received!.text).toContain('停止发送办理进展邮件');
    const page = await (await api.app.request(`/complaints/track/${r.trackingCode}/`)).text();
    expect(page).toContain(`action="/complaints/track/${r.trackingCode}/mail-stop"`);
    // A step queues its mail; stopping before the sender runs withdraws it.
    await desk.act(r.trackingCode, { action: 'accept' });
    expect((await outboxOf(r.trackingCode)).filter((m) => !m.sentAt).map((m) => m.kind)).toEqual(['complaint:accept']);
    const stop = await api.app.request(`/complaints/track/${r.trackingCode}/mail-stop`, { method: 'POST' });
    expect(stop.status).toBe(303);
    expect(stop.headers.get('Location')).toBe(`/complaints/track/${r.trackingCode}/?mail=stopped`);
    expect((await outboxOf(r.trackingCode)).map((m) => m.kind)).toEqual(['complaint:received']);
    await desk.act(r.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
    expect(await deliver()).toEqual([]);
    const after = await (await api.app.request(`/complaints/track/${r.trackingCode}/?mail=stopped`)).text();
    expect(after).toContain('data-mail-stopped');
    expect(after).not.toContain('data-mail-stop>');
    // A wrong code stops nothing.
    expect((await api.app.request('/complaints/track/ABCDEFGHJKMNP/mail-stop', { method: 'POST' })).status).toBe(404);
  });

  it('cannot be stopped by anyone without the code: guesses, the public reference number, markup in the path, forged forwarding headers past the limit', async () => {
    const limited = await testApi({ mail: { siteUrl: SITE }, limits: { ...MANY, lookup: { max: 3, windowSeconds: 600 } } });
    try {
      const res = await postJson(limited.app, '/api/complaints', validComplaint(named({ email: 'victim@example.net' })));
      const { reference, trackingCode } = (await res.json()) as { reference: string; trackingCode: string };
      const stop = (code: string, headers: Record<string, string> = {}) => limited.app.request(`/complaints/track/${encodeURIComponent(code)}/mail-stop`, { method: 'POST', headers });
      expect((await stop(reference)).status).toBe(404);
      const markup = await stop('<script>alert(1)</script>');
      expect(markup.status).toBe(404);
      // Shown back only as text (the lookup form's value), never as markup.
      const html = await markup.text();
      expect(markupProblems(html)).toEqual([]);
      expect(shownAsText(html, '<script>alert(1)</script>')).toBe(true);
      expect((await stop('ABCDEFGHJKMNP')).status).toBe(404);
      // The budget is spent; another X-Forwarded-For (no trusted proxy) is the same client.
      const over = await stop(trackingCode, { 'X-Forwarded-For': '203.0.113.9' });
      expect(over.status).toBe(429);
      expect(over.headers.get('Retry-After')).toBeTruthy();
      const row = (await limited.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
      expect(row.notifyByEmail).toBe(true);
      // A body too large for a button's post is refused before anything happens.
      const other = await testApi({ mail: { siteUrl: SITE }, limits: MANY });
      try {
        const r2 = await postJson(other.app, '/api/complaints', validComplaint(named({ email: 'victim2@example.net' })));
        const code2 = ((await r2.json()) as { trackingCode: string }).trackingCode;
        const big = await other.app.request(`/complaints/track/${code2}/mail-stop`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'x='.padEnd(5000, 'x') });
        expect(big.status).toBe(413);
        expect((await other.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code2) }))!.notifyByEmail).toBe(true);
      } finally {
        other.close();
      }
    } finally {
      limited.close();
    }
  });

  it('the form offers the choice', async () => {
    const page = await (await api.app.request('/complaints/new/')).text();
    expect(controlsOf(page).find((c) => c.name === 'notifyByEmail')).toMatchObject({ type: 'checkbox', value: '1', checked: false, label: '办理进展通过电子邮件告知我' });
  });
});

describe('nobody else gets mail', () => {
  it('not a reporter who did not agree, gave no address, or reported anonymously', async () => {
    const before = (await api.db.select().from(outbox)).length;
    const quiet = [
      await submit(named({ notifyByEmail: false })),
      await submit({ anonymous: false, name: '王五', email: 'unasked@example.net' }),
      await submit({ anonymous: true, email: 'anonymous@example.net', notifyByEmail: true }),
    ];
    for (const r of quiet) {
      await desk.act(r.trackingCode, { action: 'accept' });
      await desk.act(r.trackingCode, { action: 'assign', unit: 'wuwei-housing' });
      await desk.act(r.trackingCode, { action: 'close', verdict: '属实', reply: '已整改。' });
    }
    expect((await api.db.select().from(outbox)).length).toBe(before);
    expect(await deliver()).toHaveLength(0);
    expect((await rowOf(quiet[2]!.trackingCode)).notifyByEmail).toBe(false);
  });

  it('asking for mail without an address is refused (422)', async () => {
    const res = await postJson(api.app, '/api/complaints', validComplaint({ anonymous: false, name: '赵六', phone: '13912345678', notifyByEmail: true }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.email).toContain('请填写电子邮箱');
  });

  it('the tracking link only ever went to its own reporter', async () => {
    const all = await api.db.select({ code: complaints.trackingCode, contact: complaints.contactCiphertext, id: complaints.id }).from(complaints);
    expect(smtp.received.length).toBeGreaterThan(5);
    for (const m of smtp.received) {
      const codes = all.filter((c) => m.text.includes(c.code));
      expect(codes).toHaveLength(1);
      const row = (await api.db.query.complaints.findFirst({ where: eq(complaints.id, codes[0]!.id) }))!;
      const { decryptJson } = await import('../../functions/crypto.ts');
      const contact = await decryptJson<{ email?: string }>(api.contactKey, row.contactCiphertext!, row.id);
      expect(m.envelopeTo).toEqual([contact.email]);
    }
  });
});

describe('the sender', () => {
  let later: TestSmtp | undefined;
  afterEach(async () => {
    await later?.close();
    later = undefined;
  });

  it('retries with back-off while the SMTP server is down, and sends once it is up', async () => {
    const port = await freePort();
    const down = smtpTransport(`smtp://127.0.0.1:${port}`);
    const receipt = await submit(named({ email: 'retry@example.net' }));
    const t0 = new Date(Date.now() + 1000);
    const first = await sendDue(api.db, api.contactKey, down, { from: FROM, now: t0 });
    expect(first).toEqual({ sent: 0, retrying: 1, gaveUp: 0 });
    let [row] = await outboxOf(receipt.trackingCode);
    expect(row).toMatchObject({ attempts: 1, sentAt: null, nextAttemptAt: new Date(t0.getTime() + retryDelayMs(1)).toISOString() });
    expect(row!.lastError).toMatch(/ECONNREFUSED/);

    // Not due again before its back-off.
    expect(await sendDue(api.db, api.contactKey, down, { from: FROM, now: new Date(t0.getTime() + 30_000) })).toEqual({ sent: 0, retrying: 0, gaveUp: 0 });
    // Still down at the second attempt: the wait doubles.
    const t2 = new Date(t0.getTime() + retryDelayMs(1));
    expect(await sendDue(api.db, api.contactKey, down, { from: FROM, now: t2 })).toEqual({ sent: 0, retrying: 1, gaveUp: 0 });
    [row] = await outboxOf(receipt.trackingCode);
    expect(row).toMatchObject({ attempts: 2, nextAttemptAt: new Date(t2.getTime() + retryDelayMs(2)).toISOString() });
    expect(retryDelayMs(2)).toBe(2 * retryDelayMs(1));

    // The server comes up on that port: the third attempt delivers.
    later = await startSmtp(port);
    const t3 = new Date(t2.getTime() + retryDelayMs(2));
    expect(await sendDue(api.db, api.contactKey, down, { from: FROM, now: t3 })).toEqual({ sent: 1, retrying: 0, gaveUp: 0 });
    expect(later.received).toHaveLength(1);
    expect(later.received[0]!.envelopeTo).toEqual(['retry@example.net']);
    [row] = await outboxOf(receipt.trackingCode);
    expect(row).toMatchObject({ attempts: 3, sentAt: t3.toISOString(), nextAttemptAt: null, lastError: null });
    down.close();
  });

  it('gives up after the last attempt; admins see it (masked), and it can be put back', async () => {
    const port = await freePort();
    const down = smtpTransport(`smtp://127.0.0.1:${port}`);
    const receipt = await submit(named({ email: 'given.up@example.net' }));
    let now = new Date(Date.now() + 1000);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const report = await sendDue(api.db, api.contactKey, down, { from: FROM, now });
      expect(report).toEqual(attempt < MAX_ATTEMPTS ? { sent: 0, retrying: 1, gaveUp: 0 } : { sent: 0, retrying: 0, gaveUp: 1 });
      now = new Date(now.getTime() + retryDelayMs(attempt));
    }
    const [row] = await outboxOf(receipt.trackingCode);
    expect(row).toMatchObject({ attempts: MAX_ATTEMPTS, sentAt: null, nextAttemptAt: null });
    expect((await listOutbox(api.db, api.contactKey, 'failed')).entries.map((e) => e.id)).toContain(row!.id);

    // The admin's page: recipient masked, subject, state, attempts; no body, no tracking code.
    const cookie = await signIn('admin');
    const page = await (await api.app.request('/staff/outbox/?state=failed', { headers: { Cookie: cookie } })).text();
    const line = page.split('<tr').find((tr) => tr.includes(receipt.reference))!;
    expect(line).toContain('data-state="failed"');
    expect(line).toContain('g***@example.net');
    expect(line).toContain('发送失败');
    const row0 = tablesOf(page).find((t) => t.caption === '发信队列')!.rows.find((r) => r.includes(receipt.reference))!;
    expect(row0[6]).toBe(String(MAX_ATTEMPTS)); // 尝试次数
    expect(line).toContain('ECONNREFUSED');
    expect(page).not.toContain('given.up@example.net');
    expect(page).not.toContain(receipt.trackingCode);
    expect(page).not.toContain('/complaints/track/');

    // After the setting is fixed: back in the queue, and sent.
    expect(await retryFailed(api.db, now)).toBeGreaterThanOrEqual(1);
    later = await startSmtp(port);
    expect((await sendDue(api.db, api.contactKey, down, { from: FROM, now })).sent).toBeGreaterThanOrEqual(1);
    expect(later.received.map((m) => m.envelopeTo[0])).toContain('given.up@example.net');
    down.close();
  });

  it('two senders at once send a mail once', async () => {
    await submit(named({ email: 'once@example.net' }));
    const before = smtp.received.length;
    const now = new Date(Date.now() + 1000);
    const reports = await Promise.all([send(now), send(now)]);
    expect(reports[0]!.sent + reports[1]!.sent).toBe(1);
    expect(smtp.received.length - before).toBe(1);
  });

  it('keeps no copy of a sent mail’s text (it holds the tracking link); an unsent one keeps it until it is sent', async () => {
    const receipt = await submit(named({ email: 'kept@example.net' }));
    const [queued] = await outboxOf(receipt.trackingCode);
    expect(queued!.body).toContain(`/complaints/track/${receipt.trackingCode}/`);
    await send(new Date(Date.now() + 1000));
    const [sent] = await outboxOf(receipt.trackingCode);
    expect(sent!.sentAt).not.toBeNull();
    expect(sent!.body).toBe('');
    expect(sent!.subject).toContain(receipt.reference);
  });
});

describe('the outbox row exists exactly when its step was committed', () => {
  it('a step that fails after writing its mail leaves neither the step nor the mail', async () => {
    const receipt = await submit(named({ email: 'atomic@example.net' }));
    await deliver();
    const row = await rowOf(receipt.trackingCode);
    // The database refuses the mail row after it was inserted: the whole step must be rolled back.
    await api.db.$client.execute(`CREATE TRIGGER refuse_accept_mail AFTER INSERT ON outbox WHEN NEW.kind = 'complaint:accept' BEGIN SELECT RAISE(ABORT, 'test: refused'); END`);
    try {
      const admin = { id: 'atomic-admin', role: 'admin' as const, unit: null };
      await expect(takeAction(api.db, testReference(), admin, row, { kind: 'accept' }, new Date(), undefined, { contactKey: api.contactKey, mail: { siteUrl: SITE } })).rejects.toThrow();
    } finally {
      await api.db.$client.execute('DROP TRIGGER refuse_accept_mail');
    }
    const after = await rowOf(receipt.trackingCode);
    expect(after.state).toBe('submitted');
    expect(after.version).toBe(row.version);
    expect((await outboxOf(receipt.trackingCode)).map((r) => r.kind)).toEqual(['complaint:received']);
    expect(await api.db.select().from(complaintEvents).where(and(eq(complaintEvents.complaintId, row.id), eq(complaintEvents.action, 'accept')))).toHaveLength(0);
    expect(await api.db.select().from(auditLog).where(and(eq(auditLog.target, row.id), eq(auditLog.action, 'complaint_accept')))).toHaveLength(0);

    // The same step, committed, has its mail.
    await desk.act(receipt.trackingCode, { action: 'accept' });
    expect((await outboxOf(receipt.trackingCode)).map((r) => r.kind)).toEqual(['complaint:received', 'complaint:accept']);
  });

  it('a step refused for a concurrent change writes no mail', async () => {
    const receipt = await submit(named({ email: 'conflict@example.net' }));
    const stale = await rowOf(receipt.trackingCode);
    await desk.act(receipt.trackingCode, { action: 'accept' });
    const admin = { id: 'conflict-admin', role: 'admin' as const, unit: null };
    await expect(takeAction(api.db, testReference(), admin, stale, { kind: 'reject', reason: '重复' }, new Date(), undefined, { contactKey: api.contactKey, mail: { siteUrl: SITE } })).rejects.toThrow(/已被他人更新/);
    expect((await outboxOf(receipt.trackingCode)).map((r) => r.kind)).toEqual(['complaint:received', 'complaint:accept']);
  });

  it('an intake that fails after writing its mail stores neither the complaint nor the mail', async () => {
    const before = { complaints: (await api.db.select().from(complaints)).length, outbox: (await api.db.select().from(outbox)).length };
    await api.db.$client.execute(`CREATE TRIGGER refuse_received_mail AFTER INSERT ON outbox WHEN NEW.kind = 'complaint:received' BEGIN SELECT RAISE(ABORT, 'test: refused'); END`);
    try {
      const res = await postJson(api.app, '/api/complaints', validComplaint(named({ email: 'intake@example.net' })));
      expect(res.status).toBe(500);
    } finally {
      await api.db.$client.execute('DROP TRIGGER refuse_received_mail');
    }
    expect((await api.db.select().from(complaints)).length).toBe(before.complaints);
    expect((await api.db.select().from(outbox)).length).toBe(before.outbox);
  });
});

describe('the outbox page', () => {
  it('is for admins only', async () => {
    for (const role of ['viewer', 'handler'] as const) {
      const res = await api.app.request('/staff/outbox/', { headers: { Cookie: await signIn(role) } });
      expect(res.status).toBe(403);
    }
  });

  it('says when no sender is configured: mail stays in the queue', async () => {
    const quiet = await testApi({ mail: { siteUrl: SITE } });
    try {
      await postJson(quiet.app, '/api/complaints', validComplaint(named()));
      await createStaffUser(quiet.db, { username: 'quiet-admin', displayName: '管理员', role: 'admin', password: PASSWORD });
      const cookie = await signIn('admin', quiet, 'quiet-admin');
      const page = await (await quiet.app.request('/staff/outbox/', { headers: { Cookie: cookie } })).text();
      expect(page).toContain('data-delivery="off"');
      expect(page).toContain('未配置发信');
      expect(page).toMatch(/待发送 <strong data-count="pending">1<\/strong>/);
      expect(page).toContain('r***@example.net');
    } finally {
      quiet.close();
    }
  });
});

const PASSWORD = 'correct horse battery staple';
const signedIn = new Map<string, string>();
/** A session cookie for a new account of `role` (created once per app). */
async function signIn(role: 'admin' | 'viewer' | 'handler', target: TestApi = api, existing?: string): Promise<string> {
  const key = `${target.dir}:${existing ?? role}`;
  if (signedIn.has(key)) return signedIn.get(key)!;
  const username = existing ?? `mail-${role}`;
  if (!existing) await createStaffUser(target.db, { username, displayName: role, role, password: PASSWORD, ...(role === 'handler' ? { unit: 'wuwei-housing' } : {}) });
  const res = await target.app.request('/staff/login/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password: PASSWORD }) });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  signedIn.set(key, cookie);
  return cookie;
}

describe('a reader who reported a data error and left an address', () => {
  it('gets one mail, with the decision in staff’s words, only once staff have decided', async () => {
    await deliver(); // what earlier tests left queued
    const page = '/items/wuwei-2020-10/';
    const description = '第10项的整改时限与来源文件不符，应为2021年12月底（读者原话，不得外传）。';
    const filed = await postJson(api.app, '/api/error-reports', { page, description, contact: { email: 'reader@example.net' } });
    expect(filed.status).toBe(201);
    const { reference } = (await filed.json()) as { reference: string };
    // Nothing is mailed to an address anyone may type before staff have read the report.
    expect(await deliver()).toEqual([]);
    const report = (await api.db.query.errorReports.findFirst({ where: eq(errorReports.reference, reference) }))!;
    await desk.post(`/staff/error-reports/${report.id}`, { decision: 'corrected', resolution: '已将第10项整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' });
    const [m, ...more] = await deliver();
    expect(more).toEqual([]);
    expect(m!.envelopeTo).toEqual(['reader@example.net']);
    expect(m!.mail.subject).toBe(`【督察整改公开平台】数据错误报告已更正（${reference}）`);
    expect(m!.text).toContain('更正内容：已将第10项整改时限更正为2021年12月31日。');
    expect(m!.text).toContain('更正依据：武办字〔2020〕47号');
    expect(m!.text).toContain(`${SITE}${page}`);
    expect(m!.text).toContain(`${SITE}/corrections/`);
    expect(m!.text).not.toContain('读者原话');
    const [row] = await api.db.select().from(outbox).where(eq(outbox.kind, 'error-report:corrected'));
    expect(JSON.stringify(row)).not.toContain('reader@example.net');

    // Without an address, a decision mails nobody.
    await postJson(api.app, '/api/error-reports', { page, description: '另一处：第10项责任单位名称有误，应为凉州区人民政府。' });
    const anonymous = (await api.db.query.errorReports.findFirst({ where: eq(errorReports.state, 'received') }))!;
    await desk.post(`/staff/error-reports/${anonymous.id}`, { decision: 'declined', resolution: '与来源文件第3页一致，无需更正。' });
    expect(await deliver()).toEqual([]);
  });
});
