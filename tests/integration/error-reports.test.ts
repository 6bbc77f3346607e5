/**
 * Reports of an error in the published data, on a real libSQL file, with pages drawn by the built
 * site: the JSON API and the no-JavaScript form (validation, receipt, the same report sent twice,
 * rate limit), the contact kept encrypted and the reporter's words kept from the public, staff's
 * decision (admins only, a correction naming its source, audited, once), and the public log.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, errorReports } from '../../db/schema.ts';
import { createStaffUser } from '../../functions/staff.ts';
import { correctionsFileSchema } from '../../src/site/corrections.ts';
import { postJson, testApi, type TestApi } from '../support/api.ts';
import { controlsOf, frameOf, tablesOf } from '../support/markup.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const PASSWORD = 'correct horse battery staple';
const ITEM_PAGE = '/items/wuwei-2020-10/';
const REPORT = { page: ITEM_PAGE, description: '第10项的整改时限与来源文件第3页所列不符，应为2021年12月底。', evidence: '武办字〔2020〕47号，第3页' };

let api: TestApi;
beforeEach(async () => {
  api = await testApi({ now: () => NOW });
  await createStaffUser(api.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD });
  await createStaffUser(api.db, { username: 'housing', displayName: '经办', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
});
afterEach(() => api.close());

const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(fields) });

async function login(username: string) {
  const res = await postForm('/staff/login/', { username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie')!.split(';')[0]!;
  const page = await (await api.app.request('/staff/error-reports/', { headers: { Cookie: cookie } })).text();
  const csrf = controlsOf(page).find((c) => c.name === '_csrf')!.value;
  return { cookie, csrf };
}

describe('the JSON API', () => {
  it('files a report with a public reference, once per idempotency key', async () => {
    const first = await postJson(api.app, '/api/error-reports', REPORT, { 'Idempotency-Key': 'report-key-000000001' });
    expect(first.status).toBe(201);
    const body = (await first.json()) as { reference: string; state: string; stateLabel: string; page: string };
    expect(body).toEqual({ reference: 'E2026-000001', state: 'received', stateLabel: '已收到，待核实', page: ITEM_PAGE });
    const again = await postJson(api.app, '/api/error-reports', REPORT, { 'Idempotency-Key': 'report-key-000000001' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { reference: string }).reference).toBe('E2026-000001');
    expect(await api.db.$count(errorReports)).toBe(1);
    const next = await postJson(api.app, '/api/error-reports', { ...REPORT, description: '另一处：第10项责任单位名称有误，应为凉州区人民政府。' });
    expect(((await next.json()) as { reference: string }).reference).toBe('E2026-000002');
  });

  it('refuses what is not a report, in the error format, naming each field', async () => {
    const bad = await postJson(api.app, '/api/error-reports', { page: '/complaints/new/', description: '太短', contact: { email: 'not-an-address' } });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(error.code).toBe('invalid_error_report');
    expect(Object.keys(error.fields).sort()).toEqual(['contact.email', 'description', 'page']);
    expect((await postJson(api.app, '/api/error-reports', { ...REPORT, extra: 1 })).status).toBe(422);
    expect((await postJson(api.app, '/api/error-reports', '{not json')).status).toBe(400);
    const text = await api.app.request('/api/error-reports', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    expect(await api.db.$count(errorReports)).toBe(0);
  });

  it('keeps a contact encrypted, and limits how often one client may report', async () => {
    const res = await postJson(api.app, '/api/error-reports', { ...REPORT, contact: { name: '李四', email: 'li.si@example.net' } });
    expect(res.status).toBe(201);
    const row = (await api.db.query.errorReports.findFirst())!;
    expect(row.contactCiphertext).toBeTruthy();
    expect(row.contactCiphertext).not.toContain('li.si');
    for (let i = 2; i <= 10; i++) expect((await postJson(api.app, '/api/error-reports', { ...REPORT, description: `${REPORT.description}（第 ${i} 次）` })).status).toBe(201);
    const limited = await postJson(api.app, '/api/error-reports', { ...REPORT, description: `${REPORT.description}（第 11 次）` });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
  });
});

describe('the API description', () => {
  it('documents the endpoint with its body and every answer', async () => {
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as { paths: Record<string, { post?: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths['/api/error-reports']!.post!.responses).sort()).toEqual(['200', '201', '400', '413', '415', '422', '429', '503']);
  });
});

describe('the form without JavaScript', () => {
  it('names the page it came from, shows errors beside the fields keeping what was typed, then a receipt', async () => {
    const empty = await api.app.request(`/corrections/report/?page=${encodeURIComponent(ITEM_PAGE)}`);
    expect(empty.status).toBe(200);
    const emptyPage = await empty.text();
    expect(frameOf(emptyPage)).toMatchObject({ lang: 'zh-CN', title: '报告数据错误 - 督察整改公开平台', navigation: true, stylesheet: true, robots: 'noindex' });
    const formKey = controlsOf(emptyPage).find((c) => c.name === 'formKey')!.value;
    expect(controlsOf(emptyPage).find((c) => c.name === 'page')!.value).toBe(ITEM_PAGE);

    const refused = await postForm('/corrections/report/', { formKey, page: ITEM_PAGE, description: '太短', email: 'bad', name: '王五' });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    const controls = controlsOf(page);
    expect(controls.find((c) => c.name === 'description')!.value).toBe('太短');
    expect(controls.find((c) => c.name === 'name')!.value).toBe('王五');
    expect(page).toContain('href="#e-description"');
    expect(page).toContain('href="#e-email"');
    expect(await api.db.$count(errorReports)).toBe(0);

    const filed = await postForm('/corrections/report/', { formKey, ...REPORT });
    expect(filed.status).toBe(303);
    const receiptUrl = filed.headers.get('Location')!;
    expect(receiptUrl).toMatch(/^\/corrections\/report\/\?receipt=E2026-000001&page=/);
    const receipt = await (await api.app.request(receiptUrl)).text();
    expect(receipt).toContain('data-error-report>E2026-000001<');
    // The same form sent again (a double click, a reload) is the same report.
    const again = await postForm('/corrections/report/', { formKey, ...REPORT });
    expect(again.headers.get('Location')).toBe(receiptUrl);
    expect(await api.db.$count(errorReports)).toBe(1);
  });

  it('refuses the honeypot', async () => {
    const res = await postForm('/corrections/report/', { ...REPORT, website: 'http://spam.example' });
    expect(res.status).toBe(422);
    expect(await api.db.$count(errorReports)).toBe(0);
  });
});

describe('staff decide, and the public log shows the outcome', () => {
  it('lets an admin correct a report on a named source, once, audited; the log shows staff’s words, not the reporter’s', async () => {
    await postJson(api.app, '/api/error-reports', { ...REPORT, contact: { email: 'li.si@example.net' } });
    const row = (await api.db.query.errorReports.findFirst())!;
    const before = await (await api.app.request('/corrections/')).text();
    expect(before).toContain('data-waiting>1<');
    expect(tablesOf(before)).toEqual([]);

    const handler = await login('housing');
    const refused = await postForm(`/staff/error-reports/${row.id}`, { _csrf: handler.csrf, decision: 'corrected', resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' }, { Cookie: handler.cookie });
    expect(refused.status).toBe(403);

    const admin = await login('admin');
    const desk = await (await api.app.request('/staff/error-reports/', { headers: { Cookie: admin.cookie } })).text();
    expect(desk).toContain(REPORT.description);
    expect(desk).not.toContain('li.si@example.net');
    const noSource = await postForm(`/staff/error-reports/${row.id}`, { _csrf: admin.csrf, decision: 'corrected', resolution: '已将整改时限更正为2021年12月31日。', source: '' }, { Cookie: admin.cookie });
    expect(noSource.status).toBe(422);
    expect(controlsOf(await noSource.text()).find((c) => c.name === 'resolution' && c.id === `r-${row.id}-resolution`)!.value).toBe('已将整改时限更正为2021年12月31日。');
    const ok = await postForm(`/staff/error-reports/${row.id}`, { _csrf: admin.csrf, decision: 'corrected', resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' }, { Cookie: admin.cookie });
    expect(ok.status).toBe(303);
    const twice = await postForm(`/staff/error-reports/${row.id}`, { _csrf: admin.csrf, decision: 'declined', resolution: '重复提交的决定' }, { Cookie: admin.cookie });
    expect(twice.status).toBe(422);
    expect((await api.db.query.errorReports.findFirst())!.state).toBe('corrected');
    expect((await api.db.select().from(auditLog).where(eq(auditLog.target, row.id))).map((a) => a.action)).toEqual(['error_report_corrected']);

    const log = await (await api.app.request('/corrections/')).text();
    const [table] = tablesOf(log);
    expect(table!.rows).toEqual([['E2026-000001', '整改任务 wuwei-2020-10', '2026年11月23日', '2026年11月23日', '已更正', '已将整改时限更正为2021年12月31日。', '武办字〔2020〕47号']]);
    expect(log).not.toContain(REPORT.description);
    expect(log).not.toContain('li.si');
  });

  it('needs a session and the CSRF token', async () => {
    await postJson(api.app, '/api/error-reports', REPORT);
    const row = (await api.db.query.errorReports.findFirst())!;
    expect((await api.app.request('/staff/error-reports/')).status).toBe(303);
    const admin = await login('admin');
    const forged = await postForm(`/staff/error-reports/${row.id}`, { _csrf: 'wrong', decision: 'declined', resolution: '与来源文件一致，无需更正。' }, { Cookie: admin.cookie });
    expect(forged.status).toBe(403);
    expect((await api.db.query.errorReports.findFirst())!.state).toBe('received');
  });
});

describe('the corrections a build puts on the pages (scripts/corrections.ts)', () => {
  const copy = (env: Record<string, string>) => {
    const out = join(api.dir, 'corrections.json');
    execFileSync('node_modules/.bin/tsx', ['scripts/corrections.ts'], { env: { ...process.env, CORRECTIONS_FILE: out, ...env }, stdio: 'pipe' });
    return correctionsFileSchema.parse(JSON.parse(readFileSync(out, 'utf8'))).corrections;
  };

  it('copies the corrected reports only, in staff’s words, and reads a missing database as none without creating it', async () => {
    await postJson(api.app, '/api/error-reports', { ...REPORT, contact: { email: 'li.si@example.net' } });
    await postJson(api.app, '/api/error-reports', { ...REPORT, description: '另一处：第10项责任单位名称有误，应为凉州区人民政府。' });
    const [first, second] = await api.db.select().from(errorReports).orderBy(errorReports.reference);
    const admin = await login('admin');
    const decide = (id: string, fields: Record<string, string>) => postForm(`/staff/error-reports/${id}`, { _csrf: admin.csrf, ...fields }, { Cookie: admin.cookie });
    expect((await decide(first!.id, { decision: 'corrected', resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' })).status).toBe(303);
    expect((await decide(second!.id, { decision: 'declined', resolution: '与来源文件一致，无需更正。' })).status).toBe(303);

    expect(copy({ DATABASE_URL: `file:${join(api.dir, 'test.db')}` })).toEqual([
      { reference: 'E2026-000001', page: ITEM_PAGE, resolvedAt: NOW.toISOString(), resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' },
    ]);
    const missing = join(api.dir, 'none.db');
    expect(copy({ DATABASE_URL: `file:${missing}` })).toEqual([]);
    expect(existsSync(missing)).toBe(false);
  });
});

