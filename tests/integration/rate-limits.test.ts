/**
 * Per-client rate limits of complaint intake on a real libSQL file: who counts
 * as one client (IPv6 by /64, IPv4-mapped IPv6 as IPv4), refused requests on a
 * budget of their own, and what the no-JavaScript form shows at the limit.
 */
import { controlsOf, frameOf } from '../support/markup.ts';
import { createSiteApp } from '../support/site.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import type { ComplaintDeps } from '../../functions/complaints.ts';
import { postJson, testApi, testReference, validComplaint, validComplaintForm, type TestApi } from '../support/api.ts';

let api: TestApi | undefined;
afterEach(() => api?.close());

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return body;
};

/** The app on a fresh database, with Open311 keys, the client taken from X-Test-Client. */
async function appWith(overrides: Partial<ComplaintDeps>) {
  api = await testApi();
  const db = api.db;
  return createSiteApp({
    production: false,
    open311Keys: ['test-key-123'],
    complaints: { db, contactKey: api.contactKey, clientSalt: 's', reference: testReference(), clientAddress: (c) => c.req.header('X-Test-Client') ?? '192.0.2.1', ...overrides },
  });
}

const sender = (app: ReturnType<typeof createSiteApp>) => ({
  json: (client: string, body: unknown) => postJson(app, '/api/complaints', body, { 'X-Test-Client': client }),
  form: (client: string, fields: Record<string, string | string[]>) =>
    app.request('/complaints/new/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Test-Client': client }, body: form(fields) }),
  open311: (client: string, fields: Record<string, string>) =>
    app.request('/open311/v2/requests.json', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Test-Client': client }, body: new URLSearchParams(fields) }),
});

const OPEN311 = {
  api_key: 'test-key-123',
  service_code: 'water',
  'attribute[region]': 'gansu-wuwei-minqin',
  'attribute[observed_at]': '2026-11-20',
  address_string: '民勤县某村排渠',
  description: '排渠里的水发黑发臭，有死鱼漂浮。',
};

/** Sends one request after another (each waits for the one before), answering their statuses. */
const statuses = async (requests: (() => Response | Promise<Response>)[]) => {
  const out: number[] = [];
  for (const r of requests) out.push((await r()).status);
  return out;
};

describe('who counts as one client', () => {
  it('counts IPv6 addresses of one /64 as one client, and the next /64 as another', async () => {
    const app = await appWith({ limits: { intake: { max: 2, windowSeconds: 600 } } });
    const send = sender(app);
    const one = (i: number, client: string) => send.json(client, validComplaint({ address: `地址 ${i}` }));
    expect((await one(1, '2001:db8:1:2::1')).status).toBe(201);
    expect((await one(2, '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status).toBe(201);
    // A fresh address from the same /64 is the same subscriber.
    const refused = await one(3, '2001:db8:1:2::3');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await one(4, '2001:db8:1:3::1')).status).toBe(201);
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address it maps', async () => {
    const app = await appWith({ limits: { intake: { max: 2, windowSeconds: 600 } } });
    const send = sender(app);
    expect((await send.json('198.51.100.7', validComplaint({ address: '地址 1' }))).status).toBe(201);
    expect((await send.json('198.51.100.7', validComplaint({ address: '地址 2' }))).status).toBe(201);
    expect((await send.json('::ffff:198.51.100.7', validComplaint({ address: '地址 3' }))).status).toBe(429);
    expect((await send.json('::ffff:198.51.100.8', validComplaint({ address: '地址 4' }))).status).toBe(201);
  });
});

describe('refused intake requests are counted apart from accepted ones', () => {
  it('lets typing mistakes not use up the intake budget, on the JSON API, the form and Open311', async () => {
    const app = await appWith({ limits: { intake: { max: 2, windowSeconds: 600 } } });
    const send = sender(app);
    const bad = { description: '太短' };

    expect(await statuses([1, 2, 3, 4, 5].map(() => () => send.json('203.0.113.1', validComplaint(bad))))).toEqual([422, 422, 422, 422, 422]);
    expect((await send.json('203.0.113.1', '{"broken')).status).toBe(400);
    expect(await statuses([1, 2, 3].map((i) => () => send.json('203.0.113.1', validComplaint({ address: `地址 ${i}` }))))).toEqual([201, 201, 429]);

    expect(await statuses([1, 2, 3, 4, 5].map((i) => () => send.form('203.0.113.2', { ...validComplaintForm(`form-key-bad-0000000${i}`), ...bad })))).toEqual([422, 422, 422, 422, 422]);
    expect(await statuses([1, 2, 3].map((i) => () => send.form('203.0.113.2', validComplaintForm(`form-key-good-000000${i}`))))).toEqual([303, 303, 429]);

    expect(await statuses([1, 2, 3, 4, 5].map(() => () => send.open311('203.0.113.3', { ...OPEN311, 'attribute[region]': 'mars' })))).toEqual([400, 400, 400, 400, 400]);
    expect(await statuses([1, 2, 3].map((i) => () => send.open311('203.0.113.3', { ...OPEN311, address_string: `民勤县某村排渠 ${i}` })))).toEqual([201, 201, 429]);
    expect(await api!.db.$count(complaints)).toBe(6);
  });

  it('gives refused requests a budget of their own: past it a client waits, even with a good request (no guessing at a CAPTCHA)', async () => {
    const app = await appWith({
      limits: { intakeRefused: { max: 3, windowSeconds: 600 } },
      captcha: { field: 'captchaToken', verify: async (token) => token === 'human' },
    });
    const send = sender(app);
    const guess = (client: string, token: string) => send.json(client, validComplaint({ captchaToken: token }));
    expect(await statuses(['a', 'b', 'c'].map((t) => () => guess('203.0.113.4', t)))).toEqual([422, 422, 422]);
    const refused = await guess('203.0.113.4', 'd');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await guess('203.0.113.4', 'human')).status).toBe(429);
    // Another client is not affected.
    expect((await guess('203.0.113.5', 'human')).status).toBe(201);
  });

  it('does not count accepted complaints against the refused budget', async () => {
    const app = await appWith({ limits: { intake: { max: 5, windowSeconds: 600 }, intakeRefused: { max: 2, windowSeconds: 600 } } });
    const send = sender(app);
    expect(await statuses([1, 2, 3].map((i) => () => send.json('203.0.113.6', validComplaint({ address: `地址 ${i}` }))))).toEqual([201, 201, 201]);
    expect((await send.json('203.0.113.6', validComplaint({ description: '太短' }))).status).toBe(422);
    expect((await send.json('203.0.113.6', validComplaint({ address: '地址 4' }))).status).toBe(201);
  });
});

describe('the no-JavaScript form at the limit', () => {
  it('shows the form again with everything typed and the reason in the error summary (429), instead of a page that loses it', async () => {
    const app = await appWith({ limits: { intake: { max: 1, windowSeconds: 600 } } });
    const send = sender(app);
    expect((await send.form('203.0.113.7', validComplaintForm('form-key-first-0000'))).status).toBe(303);
    const typed = { ...validComplaintForm('form-key-second-000'), description: '河边<堆放>大量建筑垃圾，雨后有异味。', address: '凉州区某村西头', suspectedPolluter: '某建材厂', latitude: '37.93', longitude: '102.64', phone: '13800000001' };
    const res = await send.form('203.0.113.7', typed);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
    const page = await res.text();
    expect(frameOf(page)).toMatchObject({ lang: 'zh-CN', title: '错误：投诉举报 - 督察整改公开平台', navigation: true, skipLink: true, stylesheet: true, headings: ['投诉举报环境问题'] });
    expect(page).toContain('<title>错误：投诉举报');
    expect(page).toMatch(/class="error-summary" role="alert"[^>]*data-error-summary\s*>/);
    expect(page).toMatch(/<li>提交过于频繁。[^<]*分钟后再试。您填写的内容已保留/);
    expect(page).toContain('河边&lt;堆放&gt;大量建筑垃圾，雨后有异味。</textarea>');
    for (const value of ['凉州区某村西头', '某建材厂', '37.93', '102.64', '张三', '13800000001', 'form-key-second-000']) expect(page, value).toContain(`value="${value}"`);
    const controls = controlsOf(page);
    expect(controls.find((c) => c.name === 'pollutionTypes' && c.value === '大气')?.checked).toBe(true);
    expect(controls.find((c) => c.name === 'region')?.value).toBe('gansu-wuwei-liangzhou');
    expect(controls.find((c) => c.id === 'f-anonymous-0')).toMatchObject({ value: '0', checked: true });
    expect(await api!.db.$count(complaints)).toBe(1);
  });
});
