/**
 * Smoke test of the production build: the site Astro builds with @astrojs/cloudflare
 * (`npm run build:worker`, into dist-worker/) — prerendered pages as static assets, the
 * on-demand routes and the Hono app (functions/runtime/worker.ts) in the Worker — run in
 * workerd by `wrangler dev`, offline: without a database, and on a database file served over
 * the network as Turso would serve it (the complaint API and mail through the send_email binding).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { complaints, outbox, subscriptionMail, subscriptions } from '../../db/schema.ts';
import { syncChanges } from '../../functions/subscription-service.ts';
import { importContactKey, newKeyBase64 } from '../../functions/crypto.ts';
import { syncItemWatch } from '../../functions/escalation.ts';
import { setStaffEmail } from '../../functions/staff-accounts.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { getPortal } from '../../src/content/portal.ts';
import { itemWatchFacts } from '../../src/site/item-watch.ts';
import { openLocalDatabase, type Database } from '../../functions/local.ts';
import { validComplaint } from '../support/api.ts';
import { startHrana, type HranaServer } from '../support/hrana.ts';

interface RunningWorker {
  base: string;
  /** Everything wrangler and the Worker printed so far. */
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `wrangler dev` on the built Worker, with `vars` given as `--var` (bindings and secrets by name). */
async function startWorker(vars: Record<string, string> = {}): Promise<RunningWorker> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  // Log level "log": the scheduled handler's console.log is read by the tests.
  const args = ['dev', '--config', 'dist-worker/server/wrangler.json', '--port', String(port), '--ip', '127.0.0.1', '--log-level', 'log', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  const child: ChildProcess = spawn('node_modules/.bin/wrangler', args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { base, output: () => output, stop };
    } catch {
      // workerd is still starting
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Fires the Worker's Cron Trigger the way wrangler dev offers (it says so at start), and waits for `line` in its output. */
/** Waits (up to 15 s) until the Worker's output holds `line`: wrangler prints what bindings did asynchronously. */
async function untilOutput(worker: RunningWorker, line: string) {
  const deadline = Date.now() + 15_000;
  while (!worker.output().includes(line) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(worker.output()).toContain(line);
}

async function fireCron(worker: RunningWorker, line: string) {
  const res = await fetch(`${worker.base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`);
  expect(res.status).toBe(200);
  await untilOutput(worker, line);
}

let plain: RunningWorker;
let base: string;

beforeAll(async () => {
  // The Worker build is its own (a Worker module, not Node's): made here, from the same sources.
  execFileSync('npm', ['run', '--silent', 'build:worker'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  plain = await startWorker();
  base = plain.base;
});

afterAll(async () => {
  await plain?.stop();
});

describe('the Worker bundle in workerd', () => {
  it('serves the static site with the security headers from client/_headers', async () => {
    const res = await fetch(`${base}/items/wuwei-2020-07/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('污水管网建设和污水处理厂提标改造等整改工作进展缓慢');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers /api/health from the Hono app, with HSTS in production', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(await res.json()).toEqual({ status: 'ok', database: 'not_configured' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('answers the complaint API with a clear 503 when no database is configured', async () => {
    const res = await fetch(`${base}/api/complaints`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'database_unavailable', message: '投诉服务暂不可用：未配置数据库。' } });
  });

  it('renders the complaint pages in the site frame, saying plainly that the service is unavailable', async () => {
    const res = await fetch(`${base}/complaints/new/`);
    expect(res.status).toBe(503);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('服务暂不可用');
    expect(page).toContain('aria-current="page"');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('compares snapshots on demand from the history it reads through the ASSETS binding (no database needed)', async () => {
    const history = JSON.parse(readFileSync('dist-worker/client/data/snapshots/history.json', 'utf8')) as { dates: string[] };
    const res = await fetch(`${base}/changes/`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    // The dates it names come from the built history.json, read in the Worker.
    if (history.dates.length < 2) expect(page).toContain('还没有可以比较的两个快照');
    else expect(page).toContain(`<option value="${history.dates.at(-1)}"`);
    const bad = await fetch(`${base}/changes/?from=1999-01-01&to=1999-01-01`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<a href="#f-from">没有1999年1月1日的快照');
    expect(bad.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('renders an on-demand Astro page in the Worker, with the security headers: the search page, as the bare form without a database', async () => {
    const res = await fetch(`${base}/search/?q=${encodeURIComponent('污水')}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('id="search-form"');
    expect(page).not.toContain('data-source="server"');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security') ?? '').toBe('');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('describes the API, with the region list read from the static assets', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { components: { schemas: { ComplaintInput: { properties: { region: { enum: string[] } } } } } };
    expect(doc.components.schemas.ComplaintInput.properties.region.enum).toContain('gansu-wuwei');
  });

  it('runs the Cron Trigger through the custom entry (src/worker.ts), which says why it sends nothing without a database', async () => {
    const config = JSON.parse(readFileSync('dist-worker/server/wrangler.json', 'utf8')) as { triggers?: { crons?: string[] }; send_email?: { name: string }[] };
    expect(config.triggers?.crons).toEqual(['* * * * *']);
    expect(config.send_email).toEqual([{ name: 'EMAIL' }]);
    await fireCron(plain, '发信：跳过（未配置数据库）');
  });

  it('answers unknown API paths in the error format, and unknown pages with the 404 page', async () => {
    const api = await fetch(`${base}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const page = await fetch(`${base}/no-such-page/`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('未找到页面');
  });
});

/**
 * The Worker on a real database: workerd reaches libSQL only over the network, so a small Hrana
 * server (tests/support/hrana.ts) serves an embedded libSQL file on loopback, as Turso would.
 * A complaint filed through the Worker writes its outbox row in the intake batch; the Cron
 * Trigger sends it through the send_email binding (simulated by wrangler dev, which prints the
 * message and keeps its text in a file); the row is then marked sent in the database file.
 */
describe('the Worker on a database, sending mail through send_email', () => {
  const SITE = 'https://portal.example.org';
  let worker: RunningWorker;
  let hrana: HranaServer;
  let db: Database;
  let dir: string;
  const contactKey = newKeyBase64();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-workerd-'));
    const url = `file:${join(dir, 'portal.db')}`;
    db = await openLocalDatabase(url);
    hrana = await startHrana(url);
    worker = await startWorker({
      DATABASE_URL: hrana.url,
      CONTACT_ENCRYPTION_KEY: contactKey,
      CLIENT_HASH_SALT: 'workerd-test-salt',
      SITE_URL: SITE,
      MAIL_FROM: '督察整改公开平台 <noreply@portal.example.org>',
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await hrana?.close();
    db?.$client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('files a complaint with its receipt mail in the outbox, and the Cron Trigger sends it', async () => {
    expect(await (await fetch(`${worker.base}/api/health`)).json()).toEqual({ status: 'ok', database: 'configured' });
    const res = await fetch(`${worker.base}/api/complaints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(validComplaint({ anonymous: false, name: '李四', email: 'reporter@example.net', notifyByEmail: true })),
    });
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as { reference: string; trackingCode: string };
    const [queued] = await db.select().from(outbox);
    expect(queued).toMatchObject({ kind: 'complaint:received', attempts: 0, sentAt: null });
    expect(queued!.subject).toBe(`【督察整改公开平台】您的投诉已收到（受理编号 ${receipt.reference}）`);

    await fireCron(worker, '发信：已发送 1 封，待重试 0 封，放弃 0 封。');
    await untilOutput(worker, 'send_email binding called with MessageBuilder');
    // wrangler prints the message from its own process: it may come after the Worker's log line.
    for (const deadline = Date.now() + 15_000; !/Text: \S+\.txt/.test(worker.output()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const out = worker.output();
    expect(out).toContain('From: 督察整改公开平台 <noreply@portal.example.org>');
    expect(out).toContain('To: reporter@example.net');
    expect(out).toContain(`Subject: 【督察整改公开平台】您的投诉已收到（受理编号 ${receipt.reference}）`);
    // wrangler dev keeps the text body in a file and names it.
    const textFile = /Text: (\S+\.txt)/.exec(out)?.[1];
    expect(textFile).toBeDefined();
    expect(readFileSync(textFile!, 'utf8')).toContain(`${SITE}/complaints/track/${receipt.trackingCode}/`);

    const [sent] = await db.select().from(outbox);
    expect(sent).toMatchObject({ attempts: 1, nextAttemptAt: null, lastError: null });
    expect(sent!.sentAt).not.toBeNull();

    // Nothing is due any more: a second run sends nothing.
    await fireCron(worker, '发信：已发送 0 封，待重试 0 封，放弃 0 封。');
  });

  it('takes a subscription, and the Cron Trigger sends its confirmation, then a digest of the changes the index run copied', async () => {
    const res = await fetch(`${worker.base}/api/subscriptions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'follower@example.net', target: 'item:wuwei-2020-07', frequency: 'daily' }),
    });
    expect(res.status).toBe(202);
    // Each run's own output: earlier runs printed the same lines.
    const cron = async (...lines: string[]) => {
      const from = worker.output().length;
      const res = await fetch(`${worker.base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`);
      expect(res.status).toBe(200);
      const deadline = Date.now() + 15_000;
      while (!lines.every((l) => worker.output().slice(from).includes(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const out = worker.output().slice(from);
      for (const l of lines) expect(out).toContain(l);
      return out;
    };
    const out = await cron('发信：已发送 1 封，待重试 0 封，放弃 0 封。', 'Text: ');
    expect(out).toContain('To: follower@example.net');
    const text = readFileSync(/Text: (\S+\.txt)/.exec(out)![1]!, 'utf8');
    const token = /\/follow\/confirm\/\?token=(\S+)/.exec(text)![1]!;
    // Confirmed through the Worker's own page route.
    const confirmed = await fetch(`${worker.base}/follow/confirm/`, { method: 'POST', body: new URLSearchParams({ token }) });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('订阅已确认');

    // What `npm run deploy`'s index run copies into Turso: the Worker has no content of its own.
    const change = { id: 'status:wuwei-2020-07:workerd', kind: 'status' as const, date: '2026-12-01', title: '测试动态：已完成', summary: '测试用状态变化。', href: '/items/wuwei-2020-07/', scope: { items: ['wuwei-2020-07'], plans: [], units: [], regions: [] } };
    await syncChanges(db, [change], new Date());
    await db.update(subscriptions).set({ nextDigestAt: '2000-01-01T00:00:00.000Z' });
    const digestOut = await cron('订阅摘要：已排队 1 封。', '发信：已发送 1 封，待重试 0 封，放弃 0 封。', 'Text: ');
    expect(digestOut).toContain('To: follower@example.net');
    const digest = readFileSync(/Text: (\S+\.txt)/.exec(digestOut)![1]!, 'utf8');
    expect(digest).toContain('测试动态：已完成');
    expect(digest).toContain(`${SITE}/items/wuwei-2020-07/`);
    expect(digest).toMatch(new RegExp(`${SITE}/follow/unsubscribe/\\?token=`));
    expect((await db.select().from(subscriptionMail)).map((m) => m.kind).sort()).toEqual(['confirm', 'digest']);
  });

  it('mails staff a deadline reminder from the Cron Trigger, and shows the escalation view from the facts the index run copied', async () => {
    await createStaffUser(db, { username: 'triage', displayName: '分流', role: 'admin', password: 'correct horse battery staple' });
    await setStaffEmail(db, await importContactKey(contactKey), 'triage', 'triage@example.org');
    // The first test's complaint, as if 14 days had passed: its decision is due within a day.
    const [row] = await db.select().from(complaints);
    await db.update(complaints).set({ dueBy: new Date(Date.now() + 86_400_000).toISOString() }).where(eq(complaints.id, row!.id));
    // What `npm run deploy`'s index run copies into Turso for the view.
    await syncItemWatch(db, itemWatchFacts(getPortal()), new Date());
    const from = worker.output().length;
    await fireCron(worker, '办理期限提醒：已排队 1 条。');
    for (const deadline = Date.now() + 15_000; !/To: triage@example\.org[\s\S]*Text: \S+\.txt/.test(worker.output().slice(from)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const out = worker.output().slice(from);
    expect(out).toContain(`Subject: 【督察整改公开平台】投诉 ${row!.reference} 的受理期限即将届满`);
    const text = readFileSync(/To: triage@example\.org[\s\S]*?Text: (\S+\.txt)/.exec(out)![1]!, 'utf8');
    expect(text).toContain(`${SITE}/staff/complaints/${row!.id}/`);
    expect(text).not.toContain('reporter@example.net');
    // Once: the next run queues nothing more.
    const again = worker.output().length;
    await fireCron(worker, '发信：已发送 0 封');
    expect(worker.output().slice(again)).not.toContain('办理期限提醒');

    const login = await fetch(`${worker.base}/api/staff/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'triage', password: 'correct horse battery staple' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
    const view = await fetch(`${worker.base}/staff/escalation/?list=complaints`, { headers: { Cookie: cookie } });
    expect(view.status).toBe(200);
    const page = await view.text();
    expect(page).toContain('<h1>逾期或久未更新</h1>');
    expect(page).toContain(row!.reference);
    const items = await (await fetch(`${worker.base}/staff/escalation/`, { headers: { Cookie: cookie } })).text();
    const overdue = itemWatchFacts(getPortal()).find((f) => !f.done && f.due && f.due < new Date().toISOString().slice(0, 10))!;
    expect(items).toContain(`/items/${overdue.itemId}/`);
  });
});
