/** Open311 GeoReport v2 over the same intake and states, on a real libSQL file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.ts';
import { complaints } from '../../db/schema.ts';
import { testApi, testReference, type TestApi } from '../support/api.ts';

let api: TestApi;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  api = await testApi();
  app = createApp({
    production: false,
    open311Keys: ['test-key-123'],
    complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 's', reference: testReference(), clientAddress: () => '192.0.2.1', now: () => new Date('2026-11-23T04:00:00Z') },
  });
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

  it('files a request with an api_key, and refuses one without, in the spec’s error format', async () => {
    const refused = await post('/open311/v2/requests.json', { ...REQUEST, api_key: 'wrong' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual([{ code: 403, description: 'api_key 无效' }]);
    const bad = await post('/open311/v2/requests.xml', { ...REQUEST, 'attribute[region]': 'mars' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/<errors><error><code>400<\/code><description>region：请选择地区<\/description><\/error><\/errors>/);
    const res = await post('/open311/v2/requests.json', REQUEST);
    expect(res.status).toBe(201);
    const [created] = (await res.json()) as { service_request_id: string }[];
    expect(created!.service_request_id).toMatch(/^[A-Z2-9]{13}$/);
    expect(await api.db.$count(complaints)).toBe(1);
    // A repeat of the same submission is the same request.
    const again = (await (await post('/open311/v2/requests.json', REQUEST)).json()) as { service_request_id: string }[];
    expect(again[0]!.service_request_id).toBe(created!.service_request_id);
    expect(await api.db.$count(complaints)).toBe(1);

    const one = (await (await app.request(`/open311/v2/requests/${created!.service_request_id}.json`)).json()) as Record<string, unknown>[];
    expect(one[0]).toMatchObject({ status: 'open', service_code: 'water', address: '甘肃省武威市民勤县', description: null });
    // Never the reporter's details, the exact address or what they wrote.
    expect(JSON.stringify(one)).not.toMatch(/resident@example.com|王五|某村排渠|死鱼/);
  });

  it('lists requests with the spec’s filters', async () => {
    await post('/open311/v2/requests.json', REQUEST);
    await post('/open311/v2/requests.json', { ...REQUEST, service_code: 'air', description: '砖厂烟囱冒黑烟，呛得人喘不过气。' });
    const all = (await (await app.request('/open311/v2/requests.json')).json()) as { service_code: string }[];
    expect(all).toHaveLength(2);
    const air = (await (await app.request('/open311/v2/requests.json?service_code=air')).json()) as { service_code: string }[];
    expect(air.map((r) => r.service_code)).toEqual(['air']);
    expect(await (await app.request('/open311/v2/requests.json?status=closed')).json()).toEqual([]);
    expect(await (await app.request('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00Z')).json()).toEqual([]);
    expect((await app.request('/open311/v2/requests.json?status=maybe')).status).toBe(400);
    expect((await app.request('/open311/v2/requests.json?start_date=yesterday')).status).toBe(400);
    expect((await app.request('/open311/v2/requests.json?service_request_id=%27%20OR%201=1')).status).toBe(400);
    const xml = await (await app.request('/open311/v2/requests.xml')).text();
    expect(xml).toContain('<service_requests><request><service_request_id>');
  });
});
