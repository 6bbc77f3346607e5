/**
 * Mail from the real Node server process (functions/node.ts) and from `npm run notify`
 * (scripts/notify.ts), to a real SMTP server on loopback: the server's own timer sends a
 * reporter's receipt mail; without SMTP_URL the mail waits and `npm run notify` sends it later;
 * a half-done mail setting stops the server at start.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { validComplaint } from '../support/api.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

const run = promisify(execFile);
const SITE = 'https://portal.example.org';
const FROM = '督察整改公开平台 <noreply@portal.example.org>';

let servers: RunningServer[] = [];
let smtps: TestSmtp[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const s of servers) await s.stop();
  for (const s of smtps) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  smtps = [];
  dirs = [];
});

async function submit(server: RunningServer, email: string) {
  const res = await fetch(`${server.url}/api/complaints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(validComplaint({ anonymous: false, name: '李四', email, notifyByEmail: true })),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { reference: string; trackingCode: string };
}

describe('mail from the Node server', () => {
  it('sends a reporter their receipt mail on its own, through SMTP_URL as MAIL_FROM', async () => {
    const smtp = await startSmtp();
    smtps.push(smtp);
    const server = await startServer({ SMTP_URL: smtp.url, MAIL_FROM: FROM, MAIL_SEND_INTERVAL_SECONDS: '1', SITE_URL: SITE });
    servers.push(server);
    const receipt = await submit(server, 'reporter@example.net');
    await smtp.waitFor(1, 15_000);
    const [m] = smtp.received;
    expect(m!.envelopeTo).toEqual(['reporter@example.net']);
    expect(m!.envelopeFrom).toBe('noreply@portal.example.org');
    expect(m!.mail.subject).toBe(`【督察整改公开平台】您的投诉已收到（受理编号 ${receipt.reference}）`);
    expect(m!.text).toContain(`${SITE}/complaints/track/${receipt.trackingCode}/`);
  });

  it('refuses to start with SMTP_URL but no MAIL_FROM', async () => {
    await expect(startServer({ SMTP_URL: 'smtp://127.0.0.1:1' })).rejects.toThrow(/MAIL_FROM/);
  });
});

describe('npm run notify', () => {
  it('sends what waited in the outbox while no SMTP server was configured', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-notify-'));
    dirs.push(dataDir);
    // No SMTP_URL: the mail is queued, and nothing sends it.
    const server = await startServer({}, { dataDir });
    const receipt = await submit(server, 'later@example.net');
    await server.stop();

    const smtp = await startSmtp();
    smtps.push(smtp);
    // The server's own database and secrets, as `npm run notify` finds them in DATA_DIR.
    const { DATABASE_URL: _url, CONTACT_ENCRYPTION_KEY: _key, CLIENT_HASH_SALT: _salt, ...shell } = process.env;
    const env = { ...shell, DATA_DIR: dataDir, SMTP_URL: smtp.url, MAIL_FROM: FROM };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/notify.ts'], { env });
    expect(stdout).toContain('已发送 1 封');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelopeTo).toEqual(['later@example.net']);
    // Links default to the address the server was served at (no SITE_URL).
    expect(smtp.received[0]!.text).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\d+/complaints/track/${receipt.trackingCode}/`));

    // Nothing is due any more.
    const again = await run(process.execPath, ['--import', 'tsx', 'scripts/notify.ts'], { env });
    expect(again.stdout).toContain('已发送 0 封');
    expect(smtp.received).toHaveLength(1);
  });

  it('queues a subscriber\'s digest from the content it loads, sends it once, and mails no unconfirmed address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-notify-'));
    dirs.push(dataDir);
    const server = await startServer({ SITE_URL: SITE }, { dataDir });
    const subscribe = (email: string) =>
      fetch(`${server.url}/api/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, target: 'item:wuwei-2020-07', frequency: 'daily' }) });
    expect((await subscribe('follower@example.net')).status).toBe(202);
    expect((await subscribe('never-confirms@example.net')).status).toBe(202);

    const smtp = await startSmtp();
    smtps.push(smtp);
    const { DATABASE_URL: _url, CONTACT_ENCRYPTION_KEY: _key, CLIENT_HASH_SALT: _salt, ...shell } = process.env;
    const env = { ...shell, DATA_DIR: dataDir, SMTP_URL: smtp.url, MAIL_FROM: FROM, SITE_URL: SITE };
    const notify = () => run(process.execPath, ['--import', 'tsx', 'scripts/notify.ts'], { env });
    await notify();
    expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['follower@example.net', 'never-confirms@example.net']);
    const confirmation = smtp.received.find((m) => m.envelopeTo[0] === 'follower@example.net')!;
    const token = /\/follow\/confirm\/\?token=(\S+)/.exec(confirmation.text)![1]!;
    const confirmed = await fetch(`${server.url}/follow/confirm/`, { method: 'POST', body: new URLSearchParams({ token }) });
    expect(confirmed.status).toBe(200);
    await server.stop();

    // As if the subscription had been confirmed before the content's changes and its first digest were due.
    const db = createClient({ url: `file:${join(dataDir, 'portal.db')}` });
    await db.execute("UPDATE subscriptions SET cursor = 0, next_digest_at = '2000-01-01T00:00:00.000Z' WHERE confirmed_at IS NOT NULL");
    db.close();
    const { stdout } = await notify();
    expect(stdout).toContain('订阅摘要：已排队 1 封');
    expect(smtp.received).toHaveLength(3);
    const digest = smtp.received[2]!;
    expect(digest.envelopeTo).toEqual(['follower@example.net']);
    expect(digest.mail.subject).toMatch(/第7项：\d+ 条新动态（每日摘要）$/);
    expect(digest.text).toContain(`${SITE}/items/wuwei-2020-07/`);
    expect(digest.mail.headerLines.some((h) => h.key === 'list-unsubscribe-post')).toBe(true);

    // Sent once: nothing new, nothing more.
    const again = await notify();
    expect(again.stdout).toContain('订阅摘要：已排队 0 封');
    expect(smtp.received).toHaveLength(3);
  });

  it('mails a deadline reminder to the address `npm run staff` set: from the server\'s own timer, once (a later `npm run notify` queues nothing more)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-remind-'));
    dirs.push(dataDir);
    const first = await startServer({}, { dataDir });
    const receipt = await submit(first, 'reporter@example.net');
    await first.stop();
    // As if 13 days had passed: the 15-day decision deadline is a day away.
    const db = createClient({ url: `file:${join(dataDir, 'portal.db')}` });
    const due = new Date(Date.now() + 86_400_000).toISOString();
    await db.execute({ sql: 'UPDATE complaints SET due_by = ? WHERE reference = ?', args: [due, receipt.reference] });
    const { rows } = await db.execute({ sql: 'SELECT id FROM complaints WHERE reference = ?', args: [receipt.reference] });
    db.close();
    const { DATABASE_URL: _url, CONTACT_ENCRYPTION_KEY: _key, CLIENT_HASH_SALT: _salt, ...shell } = process.env;
    const cli = { ...shell, DATA_DIR: dataDir, STAFF_PASSWORD: 'correct horse battery staple' };
    await run(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', 'create', '--username', 'triage', '--role', 'admin', '--email', 'Triage@Example.org'], { env: cli });
    const listed = await run(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', 'list'], { env: cli });
    expect(listed.stdout).toContain('triage\tadmin\t—\t启用\t有邮箱');
    expect(listed.stdout).not.toContain('example.org');

    const smtp = await startSmtp();
    smtps.push(smtp);
    const server = await startServer({ SMTP_URL: smtp.url, MAIL_FROM: FROM, MAIL_SEND_INTERVAL_SECONDS: '1', SITE_URL: SITE }, { dataDir, keepData: true });
    try {
      // The reporter's receipt (queued before) and the reminder.
      await smtp.waitFor(2, 15_000);
    } finally {
      await server.stop();
    }
    const reminders = smtp.received.filter((m) => m.envelopeTo[0] === 'triage@example.org');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.mail.subject).toBe(`【督察整改公开平台】投诉 ${receipt.reference} 的受理期限即将届满`);
    expect(reminders[0]!.text).toContain(`${SITE}/staff/complaints/${String(rows[0]!.id)}/`);
    expect(reminders[0]!.text).not.toContain('reporter@example.net');

    const again = await run(process.execPath, ['--import', 'tsx', 'scripts/notify.ts'], { env: { ...shell, DATA_DIR: dataDir, SMTP_URL: smtp.url, MAIL_FROM: FROM, SITE_URL: SITE } });
    expect(again.stdout).toContain('办理期限提醒：已排队 0 条');
    expect(smtp.received).toHaveLength(2);
  });
});
