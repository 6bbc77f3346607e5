/**
 * The tracking code (查询码) is the reporter's secret: it opens their tracking
 * page and the dispute form. It must appear in no public answer — every
 * Open311 response (filing, list, one request, JSON and XML, with and without
 * an api_key), the published list and its JSON and CSV downloads, and search
 * results as JSON and CSV — whatever state the complaint is in.
 *
 * Complaints come in through all three ways (form, JSON API, Open311); some
 * are published, one is closed but not published, one has no consent, one is
 * disputed by its reporter after publication, one is refused.
 */
import { createSiteApp } from '../support/site.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { formatTrackingCode } from '../../src/domain/complaint.ts';
import { postJson, testApi, testReference, validComplaint, validComplaintForm, type TestApi } from '../support/api.ts';
import { staffDesk } from '../support/handling.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const KEY = 'tracking-codes-open311-key';
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };
const WORD = '锅炉黑烟';

let api: TestApi;
let app: ReturnType<typeof createSiteApp>;
/** Everything Open311 answered when filing. */
const filed: string[] = [];

beforeAll(async () => {
  api = await testApi({ now: () => NOW });
  app = createSiteApp({
    production: false,
    open311Keys: [KEY],
    complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 'test-salt', reference: testReference(), clientAddress: () => '198.51.100.7', now: () => NOW },
  });
  const desk = await staffDesk(app, api.db);
  const viaJson = async (description: string, consentPublish = true) =>
    ((await (await postJson(app, '/api/complaints', validComplaint({ description, consentPublish }))).json()) as { trackingCode: string }).trackingCode;
  const viaForm = async (formKey: string) => {
    const res = await app.request('/complaints/new/', { method: 'POST', headers: URLENCODED, body: new URLSearchParams(Object.entries({ ...validComplaintForm(formKey), description: `工业园区${WORD}，夜间尤其严重。` }).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))) });
    return res.headers.get('Location')!.match(/track\/([A-Z0-9]{13})\//)![1]!;
  };
  for (const ext of ['json', 'xml']) {
    const res = await app.request(`/open311/v2/requests.${ext}`, {
      method: 'POST', headers: URLENCODED,
      body: new URLSearchParams({ api_key: KEY, service_code: 'air', 'attribute[region]': 'gansu-wuwei-minqin', 'attribute[observed_at]': '2026-11-20', 'attribute[consent_publish]': 'true', address_string: '民勤县某厂', description: `砖厂${WORD}，呛得人喘不过气（${ext}）。`, device_id: `device-${ext}` }),
    });
    expect(res.status).toBe(201);
    filed.push(await res.text());
  }
  const rows = await api.db.select({ code: complaints.trackingCode, description: complaints.description }).from(complaints);
  const open311Codes = rows.filter((r) => r.description.startsWith('砖厂')).map((r) => r.code);

  const published = [await viaJson(`化工厂${WORD}，持续两小时。`), await viaForm('tracking-codes-form-0001'), ...open311Codes];
  for (const code of published) await desk.handleAndPublish(code, { summary: `反映${WORD}问题。`, reply: `已核查${WORD}问题并责令整改。` });
  // Disputed by the reporter after publication: open again, still published.
  expect((await app.request(`/complaints/track/${published[0]}/dispute`, { method: 'POST', headers: URLENCODED, body: new URLSearchParams({ note: `${WORD}仍在继续，查询码 ${published[0]}。` }) })).status).toBe(303);
  const closedOnly = await viaJson(`印染厂${WORD}，已办结未公开。`);
  await desk.act(closedOnly, { action: 'accept' });
  await desk.act(closedOnly, { action: 'assign', unit: 'wuwei-housing' });
  await desk.act(closedOnly, { action: 'close', verdict: '属实', reply: '已整改。' });
  await viaJson(`养殖场${WORD}，不同意公开。`, false);
  const refused = await viaJson(`饭店${WORD}，不予受理。`);
  await desk.act(refused, { action: 'reject', reason: '不属于生态环境部门职责。' });
});
afterAll(() => api?.close());

/** Every tracking code in the database, as stored and as shown to reporters, and lower-cased. */
async function secrets(): Promise<string[]> {
  const rows = await api.db.select({ code: complaints.trackingCode }).from(complaints);
  expect(rows.length).toBe(7);
  return rows.flatMap(({ code }) => [code, formatTrackingCode(code), code.toLowerCase(), formatTrackingCode(code).toLowerCase()]);
}

async function expectNoSecret(what: string, text: string) {
  for (const secret of await secrets()) expect(text.includes(secret), `${what} holds a tracking code`).toBe(false);
}

async function fetched(path: string): Promise<string> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

describe('no tracking code in a public answer', () => {
  it('Open311: filing, discovery, services, lists and each request, JSON and XML, with and without an api_key', async () => {
    for (const [i, text] of filed.entries()) await expectNoSecret(`POST answer ${i}`, text);
    const list = JSON.parse(await fetched('/open311/v2/requests.json')) as { service_request_id: string }[];
    expect(list).toHaveLength(4);
    const ids = list.map((r) => r.service_request_id);
    const paths = [
      '/open311/v2/discovery.json', '/open311/v2/discovery.xml', '/open311/v2/services.json', '/open311/v2/services.xml',
      '/open311/v2/requests.json', '/open311/v2/requests.xml', `/open311/v2/requests.json?api_key=${KEY}`, `/open311/v2/requests.xml?api_key=${KEY}`,
      '/open311/v2/requests.json?status=open', '/open311/v2/requests.xml?status=closed', '/open311/v2/requests.json?service_code=air',
      '/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2030-01-01T00:00:00Z',
      `/open311/v2/requests.json?service_request_id=${ids.join(',')}`, `/open311/v2/requests.xml?service_request_id=${ids.join(',')}`,
      ...ids.flatMap((id) => [`/open311/v2/requests/${id}.json`, `/open311/v2/requests/${id}.xml`]),
    ];
    for (const path of paths) await expectNoSecret(path, await fetched(path));
  });

  it('the published list and its JSON and CSV downloads', async () => {
    for (const path of ['/complaints/', '/api/complaints/published', '/api/complaints/published?format=csv', '/api/complaints/published?region=gansu&format=csv']) {
      await expectNoSecret(path, await fetched(path));
    }
  });

  // Search documents of published complaints are named by their reference number (id, url and title).
  it('search results as JSON and CSV', async () => {
    const json = await fetched(`/api/search?q=${encodeURIComponent(WORD)}`);
    expect((JSON.parse(json) as { total: number }).total).toBeGreaterThan(0);
    await expectNoSecret('search JSON', json);
    await expectNoSecret('search CSV', await fetched(`/api/search?q=${encodeURIComponent(WORD)}&format=csv`));
  });
});
