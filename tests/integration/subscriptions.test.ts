/**
 * E-mail subscriptions end to end, on a real libSQL file and a real SMTP server on loopback
 * (smtp-server; what arrives is parsed by mailparser), with a fixed clock:
 * - double opt-in: the confirmation mail and nothing before it; the link works once, not after it expires;
 * - the same answer whether or not the address was already subscribed, and no second mail;
 * - a digest after a change of the content (an index run), with absolute links; none when nothing
 *   changed; never a change twice, even with two runs at once;
 * - one-click unsubscribe (RFC 8058) by a POST without cookies or CSRF token, from the header's link;
 * - the rate limit; strict validation in the API's error format; the /follow/ form without JavaScript;
 * - the address never stored in clear and never shown.
 * Page requests go through the built site (`npm run build` first).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changeEvents, complaints, outbox, subscriptionMail, subscriptions } from '../../db/schema.ts';
import { queueDigests, syncChanges, type SubscriptionDeps } from '../../functions/subscription-service.ts';
import { sendDue } from '../../functions/mail/sender.ts';
import { smtpTransport } from '../../functions/mail/smtp.ts';
import { getPortal } from '../../src/content/portal.ts';
import { listChanges, type Change } from '../../src/site/changes.ts';
import { controlsOf, frameOf } from '../support/markup.ts';
import { postJson, testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';
import { staffDesk } from '../support/handling.ts';
import { CONTENT_SOURCE, contentDocuments } from '../../src/search/content-docs.ts';
import { replaceDocuments } from '../../src/search/index-store.ts';
import { startSmtp, type TestSmtp, type ReceivedMail } from '../support/smtp.ts';

const SITE = 'https://portal.example.org';
const FROM = '督察整改公开平台 <noreply@portal.example.org>';
const ITEM = 'wuwei-2020-07';
const T0 = Date.parse('2026-12-01T02:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let clock = T0;
const now = () => new Date(clock);
let api: TestApi;
let smtp: TestSmtp;
let transport: ReturnType<typeof smtpTransport>;
let deps: SubscriptionDeps;
const base = listChanges(getPortal());
/** A status entry the content did not have: what an edit of the item file and an index run add. */
const fresh = (n: number): Change => ({
  id: `status:${ITEM}:test-${n}`,
  kind: 'status',
  date: '2026-12-0' + String(n),
  title: `测试动态 ${n}：已完成`,
  summary: `测试用状态变化 ${n}。`,
  href: `/items/${ITEM}/`,
  scope: { items: [ITEM], plans: ['wuwei-2020'], units: [], regions: ['gansu-wuwei'] },
});

beforeAll(async () => {
  smtp = await startSmtp();
  transport = smtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.close();
});
beforeEach(async (context) => {
  clock = T0;
  smtp.received.length = 0;
  api = await testApi({ mail: { siteUrl: SITE }, now, limits: { subscribe: { max: 10, windowSeconds: 600 } } });
  deps = { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference: testReference(), mail: { siteUrl: SITE } };
  await syncChanges(api.db, base, now());
  context.onTestFinished(() => api.close());
});

const subscribe = (body: Record<string, unknown>, client = '198.51.100.7') => postJson(api.app, '/api/subscriptions', body, { 'X-Test-Client': client });
const request = (email: string, target = `item:${ITEM}`, frequency = 'daily') => subscribe({ email, target, frequency });

/** Sends what is due now and returns what arrived from this send. */
async function deliver(): Promise<ReceivedMail[]> {
  const before = smtp.received.length;
  const report = await sendDue(api.db, api.contactKey, transport, { from: FROM, now: now() });
  expect(report.retrying + report.gaveUp).toBe(0);
  if (report.sent) await smtp.waitFor(before + report.sent);
  return smtp.received.slice(before);
}
const pathOf = (url: string) => {
  const u = new URL(url);
  expect(u.origin).toBe(SITE);
  return u.pathname + u.search;
};
const linkIn = (text: string, path: string) => text.match(new RegExp(`${SITE}${path.replace(/[?]/g, '\\?')}[^\\s]+`))?.[0];
/** A header as the mail carried it (mailparser folds List-* headers into one object). */
const rawHeader = (m: ReceivedMail, name: string) => m.mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, '');
const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });

/** Subscribes and confirms through the confirmation mail's link; returns the confirmation mail. */
async function confirmed(email: string, frequency = 'daily'): Promise<ReceivedMail> {
  expect((await request(email, `item:${ITEM}`, frequency)).status).toBe(202);
  const mail = (await deliver()).find((m) => m.envelopeTo[0] === email);
  const link = linkIn(mail!.text, '/follow/confirm/?token=')!;
  const res = await postForm('/follow/confirm/', { token: new URL(link).searchParams.get('token')! });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('订阅已确认');
  return mail!;
}

describe('double opt-in', () => {
  it('sends the confirmation with a one-time link, and nothing else before it is used', async () => {
    const res = await request('Reader@Example.net');
    expect(res.status).toBe(202);
    // Changes and due times pass: an unconfirmed subscription gets no digest.
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += 8 * DAY;
    expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 0 });
    const got = await deliver();
    expect(got).toHaveLength(1);
    const m = got[0]!;
    expect(m.envelopeTo).toEqual(['reader@example.net']);
    expect(m.mail.subject).toMatch(/^请确认订阅：.+第\d+项的整改动态$/);
    expect(m.text).toContain(`${SITE}/items/${ITEM}/`);
    expect(m.text).toContain('每日汇总发送');
    expect(m.text).toContain('未经确认，本邮箱不会再收到本平台的任何邮件');
    const confirm = linkIn(m.text, '/follow/confirm/?token=')!;
    expect(confirm).toBeTruthy();
    expect(rawHeader(m, 'List-Unsubscribe')).toMatch(/^<https:\/\/portal\.example\.org\/follow\/unsubscribe\/\?token=[0-9a-f-]{36}\.[0-9a-f]{64}>$/);
    expect(rawHeader(m, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(m.mail.headers.get('auto-submitted')).toBe('auto-generated');

    // Expired by now (8 days): the link confirms nothing.
    const token = new URL(confirm).searchParams.get('token')!;
    expect((await api.app.request(pathOf(confirm))).status).toBe(404);
    expect((await postForm('/follow/confirm/', { token })).status).toBe(404);
    const row = (await api.db.select().from(subscriptions))[0]!;
    expect(row.confirmedAt).toBeNull();
    // The token is kept hashed, never as sent; the sent mail's copy in the outbox no longer holds it.
    expect(JSON.stringify(row)).not.toContain(token);
    const [sentRow] = await api.db.select().from(outbox);
    expect(sentRow!.sentAt).not.toBeNull();
    expect(sentRow!.body).not.toContain(token);
    // Nothing of a sent mail's text is kept (functions/mail/sender.ts), its one-time link included.
    expect(sentRow!.body).toBe('');
    // A week after the link expired, the unconfirmed address is deleted.
    clock += 7 * DAY;
    await queueDigests(deps, now());
    expect(await api.db.select().from(subscriptions)).toHaveLength(0);
    expect(await api.db.select().from(subscriptionMail)).toHaveLength(0);
  });

  it('confirms once through a page whose button posts the token (opening the link confirms nothing)', async () => {
    expect((await request('reader@example.net')).status).toBe(202);
    const [m] = await deliver();
    const confirm = linkIn(m!.text, '/follow/confirm/?token=')!;
    clock += 47 * HOUR;
    const page = await api.app.request(pathOf(confirm));
    expect(page.status).toBe(200);
    expect(page.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(page.headers.get('Cache-Control')).toContain('no-store');
    const html = await page.text();
    expect(frameOf(html).robots).toContain('noindex');
    expect(frameOf(html).headings).toEqual(['确认订阅']);
    expect((await api.db.select().from(subscriptions))[0]!.confirmedAt).toBeNull();
    const token = controlsOf(html).find((c) => c.name === 'token')!.value;
    expect((await postForm('/follow/confirm/', { token })).status).toBe(200);
    const row = (await api.db.select().from(subscriptions))[0]!;
    expect(row.confirmedAt).toBe(now().toISOString());
    expect(row.tokenHash).toBeNull();
    // Single use.
    const again = await postForm('/follow/confirm/', { token });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('确认链接无效或已过期');
  });
});

describe('no enumeration', () => {
  it('answers a new, a waiting and a subscribed address alike, and mails only the first confirmation', async () => {
    const start = smtp.received.length;
    const first = await request('reader@example.net');
    const waiting = await request('READER@example.net');
    const other = await request('someone@example.org');
    const answers = [first, waiting, other];
    await confirmed('third@example.com');
    const subscribed = await request('third@example.com');
    answers.push(subscribed);
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.text() })));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(bodies[0]!.status).toBe(202);
    expect(JSON.parse(bodies[0]!.body)).toEqual({ status: 'pending', message: expect.stringContaining('确认邮件') });
    for (const b of bodies) expect(b.body).not.toMatch(/@/);
    await deliver();
    // One confirmation each: the repeat within 10 minutes and the request of a subscribed address mail nothing.
    expect(smtp.received.slice(start).map((g) => g.envelopeTo[0]).sort()).toEqual(['reader@example.net', 'someone@example.org', 'third@example.com']);

    // Stored encrypted, found by a keyed hash: the address is nowhere in clear.
    const rows = await api.db.select().from(subscriptions);
    expect(rows).toHaveLength(3);
    const dump = JSON.stringify(rows) + JSON.stringify(await api.db.select().from(outbox));
    for (const a of ['reader@example.net', 'someone@example.org', 'third@example.com']) expect(dump).not.toContain(a);
  });

  it('stops mailing one address after a few confirmations a day, whoever asks, with the same answer', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) {
      clock += 11 * 60_000;
      answers.push((await request('target@example.net', `item:${ITEM}`, 'weekly')).status);
    }
    expect(answers).toEqual(Array(7).fill(202));
    expect(await deliver()).toHaveLength(5);
  });
});

describe('digests', () => {
  it('lists what changed since the last one, with absolute links; nothing when nothing changed; never twice', async () => {
    await confirmed('reader@example.net');
    // A day later, nothing new: nothing is sent.
    clock += DAY;
    expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 1 });
    expect(await deliver()).toHaveLength(0);

    // The content changes and is indexed again; the next digest lists that change, and only it.
    clock += 2 * HOUR;
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += DAY;
    // Two runs at once (the server's timer and npm run notify): one digest.
    const runs = await Promise.all([queueDigests(deps, now()), queueDigests(deps, now())]);
    expect(runs.reduce((n, r) => n + r.queued, 0)).toBe(1);
    const [digest] = await deliver();
    expect(digest!.envelopeTo).toEqual(['reader@example.net']);
    expect(digest!.mail.subject).toMatch(/第\d+项：1 条新动态（每日摘要）$/);
    expect(digest!.text).toContain('【状态变化】2026年12月1日　测试动态 1：已完成');
    expect(digest!.text).toContain(`${SITE}/items/${ITEM}/`);
    expect(digest!.text).toContain(`${SITE}/items/${ITEM}/feed.xml`);
    expect(rawHeader(digest!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(digest!, 'List-Unsubscribe')).toBe(`<${linkIn(digest!.text, '/follow/unsubscribe/?token=')}>`);
    expect(linkIn(digest!.text, '/follow/unsubscribe/?token=')).toBeTruthy();
    // No other item's change.
    for (const c of base.filter((x) => !x.scope.items.includes(ITEM)).slice(0, 20)) expect(digest!.text).not.toContain(c.title);
    const [sub] = await api.db.select().from(subscriptions);
    const record = await api.db.select().from(subscriptionMail).where(eq(subscriptionMail.kind, 'digest'));
    expect(record.map((r) => r.changeIds)).toEqual([[fresh(1).id]]);
    expect(sub!.lastDigestAt).toBe(now().toISOString());

    // Indexed again with nothing new (the same change re-synced, texts unchanged): nothing more.
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += DAY;
    expect((await queueDigests(deps, now())).queued).toBe(0);
    // A change removed from the content is never mailed.
    await syncChanges(api.db, [...base, fresh(1), fresh(2)], now());
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += DAY;
    expect((await queueDigests(deps, now())).queued).toBe(0);
    expect(await deliver()).toHaveLength(0);
    expect((await api.db.select().from(changeEvents).where(eq(changeEvents.id, fresh(2).id)))[0]!.removedAt).not.toBeNull();
  });

  it('tells an item’s followers of linked complaints whose results were published, by reference and published summary, once', async () => {
    // Items are linked only if the site publishes them: the search index holds the content.
    await replaceDocuments(api.db.$client, CONTENT_SOURCE, contentDocuments(getPortal()));
    // A desk signed in afresh each time: the test's clock moves past a staff session's idle limit.
    let desks = 0;
    const published = async (summary: string) => {
      const desk = await staffDesk(api.app, api.db, `digest-desk-${++desks}`);
      const res = await postJson(api.app, '/api/complaints', validComplaint({ description: '投诉人原话：河边有人倾倒垃圾，气味难闻，持续一周。' }), { 'X-Test-Client': `198.51.100.${Math.floor(Math.random() * 200) + 2}` });
      expect(res.status).toBe(201);
      const { trackingCode } = (await res.json()) as { trackingCode: string };
      const row = (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, trackingCode) }))!;
      await desk.post(`/staff/complaints/${row.id}/items`, { others: ITEM, do: 'link' });
      await desk.handleAndPublish(trackingCode, { summary });
      return row.reference!;
    };
    const before = await published('反映某企业排放黑烟（订阅之前）。');
    clock += HOUR;
    await confirmed('linked@example.net');
    clock += HOUR;
    const after = await published('反映某企业夜间排放黑烟。');
    clock += DAY;
    expect(await queueDigests(deps, now())).toEqual({ queued: 1, unchanged: 0 });
    const [digest] = await deliver();
    expect(digest!.mail.subject).toContain('1 件关联投诉公开了办理结果');
    expect(digest!.text).toContain(`受理编号 ${after}　反映某企业夜间排放黑烟。`);
    expect(digest!.text).toContain(`${SITE}/complaints/${after}/`);
    expect(digest!.text).not.toContain(before);
    expect(digest!.text).not.toContain('投诉人原话');
    clock += DAY;
    expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 1 });
  });

  it('sends a weekly subscriber one digest a week, of the whole week', async () => {
    await confirmed('weekly@example.net', 'weekly');
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += DAY;
    await syncChanges(api.db, [...base, fresh(1), fresh(2)], now());
    clock += 5 * DAY;
    expect((await queueDigests(deps, now())).queued).toBe(0);
    clock += DAY;
    expect((await queueDigests(deps, now())).queued).toBe(1);
    const [digest] = await deliver();
    expect(digest!.mail.subject).toContain('2 条新动态（每周摘要）');
  });
});

describe('unsubscribing', () => {
  it('is one POST to the List-Unsubscribe link, without cookies or a CSRF token; the address is deleted', async () => {
    const confirmation = await confirmed('reader@example.net');
    const url = rawHeader(confirmation, 'List-Unsubscribe')!.replace(/^<|>$/g, '');
    expect(url.startsWith(`${SITE}/follow/unsubscribe/?token=`)).toBe(true);
    expect(linkIn(confirmation.text, '/follow/unsubscribe/?token=')).toBe(url);

    // Opening the link shows a button; it unsubscribes nothing by itself.
    const page = await api.app.request(pathOf(url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(controlsOf(html).find((c) => c.name === 'List-Unsubscribe')?.value).toBe('One-Click');
    expect(await api.db.select().from(subscriptions)).toHaveLength(1);

    // A forged token is refused.
    expect((await postForm(pathOf(url).replace(/.$/, (ch) => (ch === '0' ? '1' : '0')), { 'List-Unsubscribe': 'One-Click' })).status).toBe(404);
    expect(await api.db.select().from(subscriptions)).toHaveLength(1);

    // A mail program's one-click POST (RFC 8058), from another origin, with no cookie.
    const res = await postForm(pathOf(url), { 'List-Unsubscribe': 'One-Click' }, { Origin: 'https://mail.example.com' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已退订');
    expect(await api.db.select().from(subscriptions)).toHaveLength(0);
    // Clicking again says the same.
    expect((await postForm(pathOf(url), { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);

    // Nothing more is sent.
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += 2 * DAY;
    expect(await queueDigests(deps, now())).toEqual({ queued: 0, unchanged: 0 });
    expect(await deliver()).toHaveLength(0);
  });

  it('drops a digest queued but not yet sent', async () => {
    const confirmation = await confirmed('reader@example.net');
    const url = linkIn(confirmation.text, '/follow/unsubscribe/?token=')!;
    await syncChanges(api.db, [...base, fresh(1)], now());
    clock += DAY;
    expect((await queueDigests(deps, now())).queued).toBe(1);
    expect((await postForm(pathOf(url), { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    expect(await deliver()).toHaveLength(0);
  });
});

describe('the API', () => {
  it('refuses bad requests in the error format, naming each field', async () => {
    const bad = await subscribe({ email: 'not-an-address', target: 'item:no-such-item', frequency: 'hourly', extra: 1 });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.fields).sort()).toEqual(['_', 'email', 'frequency', 'target']);
    expect(body.error.fields.email).toBe('请填写正确的电子邮箱，如 name@example.org');
    expect(body.error.fields.target).toMatch(/没有这个可订阅的页面/);
    expect((await subscribe({ email: 'a@example.org', target: 'item:x\r\nBcc: b@example.org', frequency: 'daily' })).status).toBe(422);
    expect((await postJson(api.app, '/api/subscriptions', '{"email":')).status).toBe(400);
    expect((await postJson(api.app, '/api/subscriptions', '[]')).status).toBe(400);
    const form = await api.app.request('/api/subscriptions', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect(await api.db.select().from(subscriptions)).toHaveLength(0);
    expect(await deliver()).toHaveLength(0);
  });

  it('is rate-limited per client, with Retry-After, and another client is not', async () => {
    for (let i = 0; i < 10; i++) expect((await request(`r${i}@example.net`)).status).toBe(202);
    const refused = await request('r10@example.net');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await subscribe({ email: 'x@example.net', target: `item:${ITEM}`, frequency: 'daily' }, '203.0.113.9')).status).toBe(202);
    expect(await deliver()).toHaveLength(11);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as { paths: Record<string, { post?: { responses: Record<string, unknown> } }>; components: { schemas: Record<string, { required?: string[] }> } };
    expect(Object.keys(doc.paths['/api/subscriptions']!.post!.responses).sort()).toEqual(['202', '400', '413', '415', '422', '429', '503']);
    expect(doc.components.schemas.SubscriptionInput!.required!.sort()).toEqual(['email', 'frequency', 'target']);
  });
});

describe('the /follow/ form without JavaScript', () => {
  it('is linked from the item, shown in the site layout, kept on an error, and answers like the API', async () => {
    const page = await api.app.request(`/follow/?target=item:${ITEM}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const frame = frameOf(html);
    expect(frame.lang).toBe('zh-CN');
    expect(frame.navigation).toBe(true);
    expect(frame.headings).toEqual(['订阅整改动态（电子邮件）']);
    expect(frame.robots).toContain('noindex');
    expect(controlsOf(html).map((c) => c.name)).toEqual(expect.arrayContaining(['target', 'email', 'frequency', 'website']));

    const wrong = await postForm('/follow/', { target: `item:${ITEM}`, email: 'reader@', frequency: '' });
    expect(wrong.status).toBe(422);
    const again = await wrong.text();
    expect(again).toContain('无法订阅');
    expect(again).toContain('请填写正确的电子邮箱');
    expect(again).toContain('请选择每日或每周');
    expect(controlsOf(again).find((c) => c.name === 'email')?.value).toBe('reader@');

    const ok = await postForm('/follow/', { target: `item:${ITEM}`, email: 'reader@example.net', frequency: 'weekly' });
    expect(ok.status).toBe(303);
    const sent = await api.app.request(ok.headers.get('Location')!);
    const sentHtml = await sent.text();
    expect(sentHtml).toContain('请查收确认邮件');
    expect(sentHtml).not.toContain('reader@example.net');
    const [m] = await deliver();
    expect(m!.text).toContain('每周汇总发送');

    expect((await api.app.request('/follow/?target=item:no-such-item')).status).toBe(404);
  });

  it('keeps what was typed at the rate limit (429 with Retry-After)', async () => {
    for (let i = 0; i < 10; i++) await postForm('/follow/', { target: `item:${ITEM}`, email: `r${i}@example.net`, frequency: 'daily' });
    const res = await postForm('/follow/', { target: `item:${ITEM}`, email: 'late@example.net', frequency: 'daily' });
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBeTruthy();
    const html = await res.text();
    expect(html).toContain('提交过于频繁');
    expect(controlsOf(html).find((c) => c.name === 'email')?.value).toBe('late@example.net');
  });
});
