/** Open311 GeoReport v2 over the same intake and states, on a real libSQL file. */
import { createSiteApp } from '../support/site.ts';
import type { InStatement } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { SaxesParser } from 'saxes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComplaintDeps } from '../../functions/complaints.ts';
import { complaintEvents, complaints } from '../../db/schema.ts';
import { testApi, testReference, type TestApi } from '../support/api.ts';
import { staffDesk } from '../support/handling.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
let api: TestApi;
let app: ReturnType<typeof createSiteApp>;
const appWith = (options: { limits?: ComplaintDeps['limits']; siteUrl?: string } = {}) =>
  createSiteApp({
    production: false,
    open311Keys: ['test-key-123'],
    ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
    complaints: {
      db: api.db, contactKey: api.contactKey, clientSalt: 's', reference: testReference(), clientAddress: (c) => c.req.header('X-Test-Client') ?? '192.0.2.1', now: () => NOW,
      ...(options.limits ? { limits: options.limits } : {}),
    },
  });
beforeEach(async () => {
  api = await testApi();
  app = appWith();
});
afterEach(() => api.close());

const REQUEST = {
  api_key: 'test-key-123',
  service_code: 'water',
  'attribute[region]': 'gansu-wuwei-minqin',
  'attribute[observed_at]': '2026-11-20',
  'attribute[consent_publish]': 'true',
  address_string: '民勤县某村排渠',
  description: '排渠里的水发黑发臭，有死鱼漂浮。',
  email: 'resident@example.com',
  first_name: '五',
  last_name: '王',
};
const post = (path: string, fields: Record<string, string>) =>
  app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
const getJson = async <T = Record<string, unknown>[]>(path: string) => (await (await app.request(path)).json()) as T;

/** Files a request through Open311; answers its reference number and (from the database) its tracking code. */
async function file(fields: Record<string, string> = {}) {
  const res = await post('/open311/v2/requests.json', { ...REQUEST, ...fields });
  expect(res.status, await res.clone().text()).toBe(201);
  const [created] = (await res.json()) as { service_request_id: string }[];
  const row = (await api.db.query.complaints.findFirst({ where: eq(complaints.reference, created!.service_request_id) }))!;
  return { reference: created!.service_request_id, code: row.trackingCode };
}

/** Parses XML with a strict XML 1.0 parser (saxes): throws on anything not well-formed, forbidden characters included. */
function parseXml(xml: string): { names: string[]; texts: string[] } {
  const parser = new SaxesParser();
  const names: string[] = [];
  const texts: string[] = [];
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.on('opentag', (t) => names.push(t.name));
  parser.on('text', (t) => texts.push(t));
  parser.write(xml).close();
  if (error) throw error;
  return { names, texts };
}

describe('Open311 GeoReport v2', () => {
  it('describes itself: discovery, services (the pollution types) and a service definition, in JSON and XML', async () => {
    const discovery = (await (await app.request('/open311/v2/discovery.json')).json()) as { endpoints: { url: string }[] };
    expect(discovery.endpoints[0]!.url).toMatch(/\/open311\/v2\/$/);
    const services = (await (await app.request('/open311/v2/services.json')).json()) as { service_code: string; service_name: string }[];
    expect(services.map((s) => s.service_name)).toEqual(['大气', '水', '噪声', '固体废物', '土壤', '辐射', '生态破坏', '其他']);
    const xml = await app.request('/open311/v2/services.xml');
    expect(xml.headers.get('Content-Type')).toContain('xml');
    expect(await xml.text()).toContain('<services><service><service_code>air</service_code>');
    const definition = (await (await app.request('/open311/v2/services/water.json')).json()) as { attributes: { code: string; required: boolean }[] };
    expect(definition.attributes.filter((a) => a.required).map((a) => a.code)).toEqual(['region', 'observed_at']);
    expect((await app.request('/open311/v2/services/lava.json')).status).toBe(404);
  });

  it('serves every XML answer as text/xml; charset=utf-8, well-formed', async () => {
    const { code } = await file();
    await (await staffDesk(app, api.db)).handleAndPublish(code);
    const paths = ['/open311/v2/discovery.xml', '/open311/v2/services.xml', '/open311/v2/services/water.xml', '/open311/v2/requests.xml', '/open311/v2/services/lava.xml', '/open311/v2/requests.xml?status=maybe', '/open311/v2/nothing.xml'];
    for (const path of paths) {
      const res = await app.request(path);
      expect(res.headers.get('Content-Type'), path).toBe('text/xml; charset=utf-8');
      parseXml(await res.text());
    }
    const filed = await post('/open311/v2/requests.xml', { ...REQUEST, description: '排渠里的水发黑发臭，又有死鱼漂浮。' });
    expect(filed.status).toBe(201);
    expect(filed.headers.get('Content-Type')).toBe('text/xml; charset=utf-8');
    expect(parseXml(await filed.text()).names).toEqual(['service_requests', 'request', 'service_request_id', 'service_notice', 'account_id']);
    expect(parseXml(await (await app.request('/open311/v2/services/water.xml')).text()).names[0]).toBe('service_definition');
  });

  it('files a request with an api_key and answers with its reference number, never the tracking code; refuses one without a key', async () => {
    const refused = await post('/open311/v2/requests.json', { ...REQUEST, api_key: 'wrong' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual([{ code: 403, description: 'api_key 无效' }]);
    const bad = await post('/open311/v2/requests.xml', { ...REQUEST, 'attribute[region]': 'mars' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/<errors><error><code>400<\/code><description>region：请选择地区<\/description><\/error><\/errors>/);
    const res = await post('/open311/v2/requests.json', REQUEST);
    expect(res.status).toBe(201);
    const [created] = (await res.json()) as { service_request_id: string; service_notice: string }[];
    const row = (await api.db.query.complaints.findFirst())!;
    expect(created!.service_request_id).toBe(row.reference);
    expect(created!.service_request_id).toMatch(/^2026-\d{6}$/);
    expect(JSON.stringify(created)).not.toContain(row.trackingCode);
    expect(JSON.stringify(created)).not.toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]/);
    expect(created!.service_notice).toContain(row.reference!);
    expect(await api.db.$count(complaints)).toBe(1);
    // A repeat of the same submission is the same request.
    const again = (await (await post('/open311/v2/requests.json', REQUEST)).json()) as { service_request_id: string }[];
    expect(again[0]!.service_request_id).toBe(created!.service_request_id);
    expect(await api.db.$count(complaints)).toBe(1);

    // Not public until staff publish it; then the published record, never the reporter's details, the exact address or what they wrote.
    expect((await app.request(`/open311/v2/requests/${created!.service_request_id}.json`)).status).toBe(404);
    expect((await app.request(`/open311/v2/requests/${row.trackingCode}.json`)).status).toBe(404);
    await (await staffDesk(app, api.db)).handleAndPublish(row.trackingCode);
    const one = await getJson(`/open311/v2/requests/${created!.service_request_id}.json`);
    expect(one[0]).toMatchObject({ service_request_id: row.reference, status: 'closed', service_code: 'water', address: '甘肃省武威市民勤县', description: '反映企业夜间排放黑烟污水。' });
    expect(JSON.stringify(one)).not.toMatch(/resident@example.com|王五|某村排渠|死鱼/);
    expect(JSON.stringify(one)).not.toContain(row.trackingCode);
    // The reference may be typed with other dashes or without leading zeros.
    expect(await getJson(`/open311/v2/requests/${row.reference!.replace(/-0+/, '－')}.json`)).toEqual(one);
  });

  it('lists published requests with the spec’s filters', async () => {
    const desk = await staffDesk(app, api.db);
    const water = await file();
    const air = await file({ service_code: 'air', description: '砖厂烟囱冒黑烟，呛得人喘不过气。' });
    await desk.handleAndPublish(water.code);
    await desk.handleAndPublish(air.code);
    const all = await getJson<{ service_code: string }[]>('/open311/v2/requests.json');
    expect(all).toHaveLength(2);
    const airOnly = await getJson<{ service_code: string }[]>('/open311/v2/requests.json?service_code=air');
    expect(airOnly.map((r) => r.service_code)).toEqual(['air']);
    expect(await getJson('/open311/v2/requests.json?status=open')).toEqual([]);
    expect(await getJson('/open311/v2/requests.json?status=closed')).toHaveLength(2);
    expect(await getJson('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00Z')).toEqual([]);
    const byId = await getJson<{ service_request_id: string }[]>(`/open311/v2/requests.json?service_request_id=${air.reference},2026-999999`);
    expect(byId.map((r) => r.service_request_id)).toEqual([air.reference]);
    expect((await app.request('/open311/v2/requests.json?status=maybe')).status).toBe(400);
    expect((await app.request('/open311/v2/requests.json?start_date=yesterday')).status).toBe(400);
    expect((await app.request('/open311/v2/requests.json?service_request_id=%27%20OR%201=1')).status).toBe(400);
    // A tracking code is not an id Open311 knows.
    expect((await app.request(`/open311/v2/requests.json?service_request_id=${water.code}`)).status).toBe(400);
    const xml = await (await app.request('/open311/v2/requests.xml')).text();
    expect(xml).toContain('<service_requests><request><service_request_id>');
  });

  it('lists and shows only complaints staff published with the reporter’s consent', async () => {
    const desk = await staffDesk(app, api.db);
    const submitted = await file({ description: '排渠里的水发黑发臭，刚刚提交还没处理。' });
    const closedOnly = await file({ description: '排渠里的水发黑发臭，已办结但没有公开。' });
    const noConsent = await file({ description: '排渠里的水发黑发臭，投诉人不同意公开。', 'attribute[consent_publish]': 'false' });
    const published = await file({ description: '排渠里的水发黑发臭，已办结并已公开。' });
    const withdrawn = await file({ description: '排渠里的水发黑发臭，公开后又撤回了。' });
    await desk.act(closedOnly.code, { action: 'accept' });
    await desk.act(closedOnly.code, { action: 'assign', unit: 'wuwei-housing' });
    await desk.act(closedOnly.code, { action: 'close', verdict: '属实', reply: '已整改。' });
    await desk.handleAndPublish(published.code);
    await desk.handleAndPublish(withdrawn.code);
    await desk.unpublish(withdrawn.code);
    // A row published without consent cannot be made through the staff pages; data written otherwise must still not show.
    await api.db.update(complaints).set({ publishedAt: NOW.toISOString(), publication: { summary: '不应公开', investigation: 'x', result: 'y' }, state: 'closed' }).where(eq(complaints.trackingCode, noConsent.code));

    const list = await getJson<{ service_request_id: string }[]>('/open311/v2/requests.json');
    expect(list.map((r) => r.service_request_id)).toEqual([published.reference]);
    const everyId = [submitted, closedOnly, noConsent, published, withdrawn].map((x) => x.reference).join(',');
    expect((await getJson<{ service_request_id: string }[]>(`/open311/v2/requests.json?service_request_id=${everyId}`)).map((r) => r.service_request_id)).toEqual([published.reference]);
    for (const hidden of [submitted, closedOnly, noConsent, withdrawn]) {
      for (const ext of ['json', 'xml']) {
        const res = await app.request(`/open311/v2/requests/${hidden.reference}.${ext}`);
        expect(res.status, `${hidden.reference}.${ext}`).toBe(404);
      }
    }
    expect((await app.request(`/open311/v2/requests/${published.reference}.json`)).status).toBe(200);
    // A keyed partner sees the same: no wider scope exists.
    const keyed = await getJson<{ service_request_id: string }[]>('/open311/v2/requests.json?api_key=test-key-123');
    expect(keyed.map((r) => r.service_request_id)).toEqual([published.reference]);
  });

  it('puts only staff replies in status_notes, never the reporter’s dispute', async () => {
    const { reference, code } = await file();
    await (await staffDesk(app, api.db)).handleAndPublish(code, { reply: '已责令企业停产整改，排渠已清淤。' });
    const dispute = await app.request(`/complaints/track/${code}/dispute`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ note: '投诉人异议：排渠今天仍然发黑发臭。' }) });
    expect(dispute.status).toBe(303);
    const [one] = await getJson<{ status: string; status_notes: string }[]>(`/open311/v2/requests/${reference}.json`);
    expect(one!.status).toBe('open');
    expect(one!.status_notes).toContain('已责令企业停产整改，排渠已清淤。');
    expect(one!.status_notes).not.toContain('投诉人异议');
    const [listed] = await getJson<{ status_notes: string }[]>('/open311/v2/requests.json');
    expect(listed!.status_notes).toBe(one!.status_notes);
  });

  it('reads the latest replies of a whole list in one query, not one per request', async () => {
    const desk = await staffDesk(app, api.db);
    for (let i = 0; i < 5; i++) {
      const { code } = await file({ description: `排渠里的水发黑发臭，第 ${i + 1} 处。` });
      await desk.handleAndPublish(code, { reply: `第 ${i + 1} 处已整改。` });
    }
    const client = api.db.$client;
    const execute = client.execute.bind(client);
    const statements: string[] = [];
    client.execute = ((stmt: InStatement) => {
      statements.push(typeof stmt === 'string' ? stmt : stmt.sql);
      return execute(stmt);
    }) as typeof client.execute;
    try {
      const list = await getJson<{ status_notes: string }[]>('/open311/v2/requests.json');
      expect(list.map((r) => r.status_notes).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `已办结：核查结论：属实。第 ${i} 处已整改。`));
    } finally {
      client.execute = execute;
    }
    expect(statements.filter((s) => /complaint_events/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /^\s*select/i.test(s))).toHaveLength(1);
  });

  it('fills expected_datetime from the statutory clocks for open requests', async () => {
    const { reference, code } = await file();
    await (await staffDesk(app, api.db)).handleAndPublish(code);
    const [closed] = await getJson<{ expected_datetime: string | null }[]>(`/open311/v2/requests/${reference}.json`);
    expect(closed!.expected_datetime).toBeNull();
    // Disputed and so open again: due 60 days after acceptance, plus the one extension.
    await api.db.update(complaints).set({ state: 'disputed', acceptedAt: '2026-11-01T00:00:00.000Z', extendedDays: 20 }).where(eq(complaints.trackingCode, code));
    const [open] = await getJson<{ status: string; expected_datetime: string | null }[]>(`/open311/v2/requests/${reference}.json`);
    expect(open).toMatchObject({ status: 'open', expected_datetime: '2027-01-20T00:00:00.000Z' });
  });

  it('reports a 阶段性办结 complaint as open, with its closing deadline, until it closes', async () => {
    const desk = await staffDesk(app, api.db);
    const { reference, code } = await file();
    await desk.act(code, { action: 'accept' });
    await desk.act(code, { action: 'assign', unit: 'wuwei-housing' });
    await desk.act(code, { action: 'close-partially', verdict: '部分属实', reply: '已责令整改，持续跟踪。' });
    await desk.publish(code, { summary: '反映排渠黑臭。', investigation: '经查部分属实。', result: '整改中。' });
    // Accepted at NOW (2026-11-23T04:00Z): due 60 days later.
    const [partly] = await getJson<{ status: string; status_notes: string; expected_datetime: string | null }[]>(`/open311/v2/requests/${reference}.json`);
    expect(partly).toMatchObject({ status: 'open', status_notes: '阶段性办结：核查结论：部分属实。已责令整改，持续跟踪。', expected_datetime: '2027-01-22T04:00:00.000Z' });
    expect((await getJson<{ service_request_id: string }[]>('/open311/v2/requests.json?status=open')).map((r) => r.service_request_id)).toEqual([reference]);
    expect(await getJson('/open311/v2/requests.json?status=closed')).toEqual([]);
    await desk.act(code, { action: 'close', verdict: '属实', reply: '已整改到位。' });
    const [closed] = await getJson<{ status: string; expected_datetime: string | null }[]>(`/open311/v2/requests/${reference}.json`);
    expect(closed).toMatchObject({ status: 'closed', expected_datetime: null });
    expect(await getJson('/open311/v2/requests.json?status=open')).toEqual([]);
  });

  it('names the configured SITE_URL in the discovery document, not the address the request came to', async () => {
    const forged = { headers: { Host: 'evil.example' } };
    const configured = appWith({ siteUrl: 'https://ducha.example.gov.cn' });
    for (const ext of ['json', 'xml']) {
      const text = await (await configured.request(`http://evil.example/open311/v2/discovery.${ext}`, forged)).text();
      expect(text).toContain('https://ducha.example.gov.cn/open311/v2/');
      expect(text).not.toContain('evil.example');
    }
    // Without SITE_URL (local use), the request's own address.
    const local = (await (await app.request('http://127.0.0.1:4321/open311/v2/discovery.json')).json()) as { endpoints: { url: string }[] };
    expect(local.endpoints[0]!.url).toBe('http://127.0.0.1:4321/open311/v2/');
  });

  it('accepts lat/long without an address, recording the address from the coordinates and saying so', async () => {
    const { address_string: _, ...noAddress } = REQUEST;
    const res = await post('/open311/v2/requests.json', { ...noAddress, lat: '36.1', long: '103.8' });
    expect(res.status).toBe(201);
    const [created] = (await res.json()) as { service_request_id: string; service_notice: string }[];
    const row = (await api.db.query.complaints.findFirst({ where: eq(complaints.reference, created!.service_request_id) }))!;
    expect(row).toMatchObject({ address: '经纬度 36.1, 103.8', latitude: 36.1, longitude: 103.8 });
    expect(created!.service_notice).toContain('经纬度 36.1, 103.8');
    // Still refused: neither an address nor both coordinates, or coordinates out of range.
    for (const fields of [{}, { lat: '36.1' }, { lat: '91', long: '103.8' }, { lat: 'abc', long: '103.8' }]) {
      const refused = await post('/open311/v2/requests.json', { ...noAddress, ...fields, description: `没有地址的投诉 ${JSON.stringify(fields)}` });
      expect(refused.status, JSON.stringify(fields)).toBe(400);
    }
    expect(await api.db.$count(complaints)).toBe(1);
  });

  it('rate-limits reads per client, and requests with a valid api_key in their own bucket', async () => {
    app = appWith({ limits: { open311: { max: 3, windowSeconds: 600 }, 'open311-partner': { max: 5, windowSeconds: 600 } } });
    for (let i = 0; i < 3; i++) expect((await app.request('/open311/v2/requests.json')).status).toBe(200);
    const limited = await app.request('/open311/v2/requests.json');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await limited.json()) as unknown).toEqual([{ code: 429, description: expect.stringMatching(/请求过于频繁/) }]);
    const limitedXml = await app.request('/open311/v2/requests/2026-000001.xml');
    expect(limitedXml.status).toBe(429);
    expect(await limitedXml.text()).toMatch(/^<\?xml[^>]*\?><errors><error><code>429<\/code>/);
    // Another client, and a keyed partner from the same address, have buckets of their own.
    expect((await app.request('/open311/v2/requests.json', { headers: { 'X-Test-Client': '192.0.2.99' } })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.request('/open311/v2/requests.json?api_key=test-key-123')).status).toBe(200);
    expect((await app.request('/open311/v2/requests.json?api_key=test-key-123')).status).toBe(429);
    // A key that is not valid is refused, and counted as the client's: keys cannot be guessed faster than the limit.
    const guesser = { headers: { 'X-Test-Client': '192.0.2.98' } };
    for (let i = 0; i < 3; i++) expect((await app.request(`/open311/v2/requests.json?api_key=guess-${i}`, guesser)).status).toBe(403);
    expect((await app.request('/open311/v2/requests.json?api_key=guess-3', guesser)).status).toBe(429);
  });

  it('counts a filing with a wrong api_key as a refused request: keys cannot be guessed by POST faster than the limit', async () => {
    app = appWith({ limits: { intake: { max: 10, windowSeconds: 600 }, intakeRefused: { max: 3, windowSeconds: 600 } } });
    const guess = (key: string) =>
      app.request('/open311/v2/requests.json', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Test-Client': '192.0.2.77' }, body: new URLSearchParams({ ...REQUEST, api_key: key }).toString() });
    for (let i = 0; i < 3; i++) expect((await guess(`guess-${i}`)).status).toBe(403);
    const limited = await guess('guess-3');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('removes the characters XML 1.0 forbids from stored text, so a whole list still parses', async () => {
    const desk = await staffDesk(app, api.db);
    const { reference, code } = await file();
    await desk.handleAndPublish(code);
    await file({ description: '另一处排渠的水也发黑发臭，有异味。' }).then(({ code: other }) => desk.handleAndPublish(other));
    const FORBIDDEN = '\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u001b\u001f\ufffe\uffff';
    const row = (await api.db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }))!;
    await api.db.update(complaints).set({ publication: { summary: `反映${FORBIDDEN}排渠\t发黑\n发臭💩`, investigation: 'x', result: 'y' } }).where(eq(complaints.id, row.id));
    // (Without U+0000 here: SQLite hands a text column back cut at a NUL; the JSON column above keeps it escaped.)
    await api.db.insert(complaintEvents).values({ complaintId: row.id, at: NOW.toISOString(), actor: 'staff', action: 'note', state: 'closed', publicNote: `补充${FORBIDDEN.slice(1)}答复` });
    for (const path of ['/open311/v2/requests.xml', `/open311/v2/requests/${reference}.xml`]) {
      const xml = await (await app.request(path)).text();
      const { texts } = parseXml(xml);
      expect(texts, path).toContain('反映排渠\t发黑\n发臭💩');
      expect(texts, path).toContain('已办结：补充答复');
    }
    // JSON carries the text as stored (JSON escapes them).
    const [json] = await getJson<{ description: string }[]>(`/open311/v2/requests/${reference}.json`);
    expect(json!.description).toBe(`反映${FORBIDDEN}排渠\t发黑\n发臭💩`);
  });
});
