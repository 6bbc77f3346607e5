/** The complaint intake and tracking API on a real libSQL file. */
import { createSiteApp } from '../support/site.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptJson } from '../../functions/crypto.ts';
import { complaintEvents, complaints, rateLimits } from '../../db/schema.ts';
import { TRACKING_ALPHABET } from '../../src/domain/complaint.ts';
import { postJson, testApi, testReference, validComplaint, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
});
afterEach(() => api.close());

/** Every error answer has the documented shape. */
async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string; fields?: Record<string, string> } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
  return body.error;
}

describe('POST /api/complaints', () => {
  it('stores an anonymous complaint and returns a receipt with an unguessable tracking code', async () => {
    const res = await postJson(api.app, '/api/complaints', validComplaint());
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as { trackingCode: string; trackingCodeDisplay: string; state: string; stateLabel: string };
    expect(receipt.trackingCode).toHaveLength(13);
    expect([...receipt.trackingCode].every((ch) => TRACKING_ALPHABET.includes(ch))).toBe(true);
    expect(receipt.trackingCodeDisplay).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]$/);
    expect(receipt).toMatchObject({ state: 'submitted', stateLabel: '已提交' });
    const rows = await api.db.select().from(complaints);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ trackingCode: receipt.trackingCode, anonymous: true, contactCiphertext: null, region: 'gansu-wuwei-liangzhou' });
    expect(await api.db.select().from(complaintEvents)).toHaveLength(1);
  });

  it('encrypts a named reporter’s contact details at rest, bound to the complaint', async () => {
    const res = await postJson(api.app, '/api/complaints', validComplaint({ anonymous: false, name: '张三', phone: '139 3100 0000', email: 'zhang@example.cn' }));
    expect(res.status).toBe(201);
    const [row] = await api.db.select().from(complaints);
    expect(row!.contactCiphertext).toMatch(/^v1\./);
    expect(row!.contactCiphertext).not.toContain('张三');
    expect(JSON.stringify(row)).not.toMatch(/13931000000|zhang@example/);
    expect(await decryptJson(api.contactKey, row!.contactCiphertext!, row!.id)).toEqual({ name: '张三', phone: '13931000000', email: 'zhang@example.cn' });
    await expect(decryptJson(api.contactKey, row!.contactCiphertext!, 'another-id')).rejects.toThrow();
  });

  it('drops contact details typed into an anonymous complaint', async () => {
    await postJson(api.app, '/api/complaints', validComplaint({ anonymous: true, name: '李四', phone: '13900000000' }));
    const [row] = await api.db.select().from(complaints);
    expect(row!.contactCiphertext).toBeNull();
  });

  it('returns the same receipt for a retry with the same Idempotency-Key, and stores one row', async () => {
    const headers = { 'Idempotency-Key': 'form-2f0c9a7e-1' };
    const first = await postJson(api.app, '/api/complaints', validComplaint(), headers);
    const second = await postJson(api.app, '/api/complaints', validComplaint(), headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers.get('Idempotent-Replay')).toBe('true');
    expect((await second.json() as { trackingCode: string }).trackingCode).toBe((await first.json() as { trackingCode: string }).trackingCode);
    expect(await api.db.select().from(complaints)).toHaveLength(1);
  });

  it('stores one row when the same request is retried concurrently', async () => {
    const headers = { 'Idempotency-Key': 'concurrent-retry-0001' };
    const responses = await Promise.all(Array.from({ length: 6 }, () => postJson(api.app, '/api/complaints', validComplaint(), headers)));
    const codes = await Promise.all(responses.map(async (r) => (await r.json() as { trackingCode: string }).trackingCode));
    expect(new Set(codes).size).toBe(1);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await api.db.select().from(complaints)).toHaveLength(1);
  });

  it('treats an identical resubmission without a key as a retry, but a different complaint as new', async () => {
    const a = await postJson(api.app, '/api/complaints', validComplaint());
    const b = await postJson(api.app, '/api/complaints', validComplaint());
    const c = await postJson(api.app, '/api/complaints', validComplaint({ address: '古浪县某砖厂' }));
    expect([a.status, b.status, c.status]).toEqual([201, 200, 201]);
    expect(await api.db.select().from(complaints)).toHaveLength(2);
  });

  it('names each invalid field in Chinese', async () => {
    const error = await expectError(
      await postJson(api.app, '/api/complaints', {
        pollutionTypes: ['光污染'], region: 'atlantis', address: '', observedAt: '2999-01-01', description: '太短',
        latitude: 38.0, anonymous: false,
      }),
      422,
      'validation_failed',
    );
    expect(Object.keys(error.fields!).sort()).toEqual(['address', 'description', 'longitude', 'name', 'observedAt', 'phone', 'pollutionTypes.0', 'region'].sort());
    expect(error.fields!.description).toBe('问题描述至少 10 个字');
    expect(error.fields!.observedAt).toBe('发现时间不能晚于今天');
  });

  it('bounds the observation date by the current day, also once the day has changed', async () => {
    api.close();
    let clock = new Date('2026-11-20T12:00:00+08:00');
    api = await testApi({ now: () => clock });
    const nextDay = validComplaint({ observedAt: '2026-11-21' });
    await expectError(await postJson(api.app, '/api/complaints', nextDay), 422, 'validation_failed');
    clock = new Date('2026-11-21T12:00:00+08:00');
    expect((await postJson(api.app, '/api/complaints', nextDay)).status).toBe(201);
  });

  it('refuses a filled honeypot field', async () => {
    const error = await expectError(await postJson(api.app, '/api/complaints', validComplaint({ website: 'http://spam.example' })), 422, 'validation_failed');
    expect(error.fields).toHaveProperty('website');
    expect(await api.db.select().from(complaints)).toHaveLength(0);
  });

  it('limits field lengths', async () => {
    const error = await expectError(await postJson(api.app, '/api/complaints', validComplaint({ description: '污'.repeat(2001) })), 422, 'validation_failed');
    expect(error.fields!.description).toBe('问题描述不能超过 2000 个字');
  });

  it('answers wrong content types, broken JSON, non-objects, oversized bodies and bad keys in the error format', async () => {
    await expectError(await api.app.request('/api/complaints', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 415, 'unsupported_media_type');
    await expectError(await postJson(api.app, '/api/complaints', '{"pollutionTypes": ['), 400, 'invalid_json');
    await expectError(await postJson(api.app, '/api/complaints', '[1,2]'), 400, 'invalid_json');
    await expectError(await postJson(api.app, '/api/complaints', validComplaint({ description: 'x'.repeat(40_000) })), 413, 'payload_too_large');
    await expectError(await postJson(api.app, '/api/complaints', validComplaint(), { 'Idempotency-Key': 'bad key!' }), 400, 'invalid_idempotency_key');
    expect(await api.db.select().from(complaints)).toHaveLength(0);
  });

  it('rate-limits each client in the database, with Retry-After, storing no raw address', async () => {
    api.close();
    api = await testApi({ limits: { intake: { max: 3, windowSeconds: 600 } } });
    const send = (i: number, client: string) =>
      postJson(api.app, '/api/complaints', validComplaint({ address: `地址${i}` }), { 'X-Test-Client': client });
    for (let i = 0; i < 3; i++) expect((await send(i, '203.0.113.9')).status).toBe(201);
    const refused = await send(3, '203.0.113.9');
    await expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await send(4, '203.0.113.10')).status).toBe(201);
    const stored = JSON.stringify([await api.db.select().from(rateLimits), await api.db.select().from(complaints)]);
    expect(stored).not.toContain('203.0.113');
  });
});

describe('GET /api/complaints/:code', () => {
  it('shows states and public replies only, never contact details or the description', async () => {
    const res = await postJson(api.app, '/api/complaints', validComplaint({ anonymous: false, name: '王五', phone: '13800000000' }));
    const { trackingCode, trackingCodeDisplay } = (await res.json()) as { trackingCode: string; trackingCodeDisplay: string };
    const lookup = await api.app.request(`/api/complaints/${trackingCodeDisplay.toLowerCase()}`);
    expect(lookup.status).toBe(200);
    const text = await lookup.text();
    expect(text).not.toMatch(/王五|13800000000|烟囱|contact|clientHash|idempotency/i);
    const body = JSON.parse(text) as { trackingCode: string; timeline: { stateLabel: string; publicNote: null }[] };
    expect(body.trackingCode).toBe(trackingCode);
    expect(body.timeline).toEqual([expect.objectContaining({ state: 'submitted', stateLabel: '已提交', publicNote: null })]);
  });

  it('answers 404 in the error format for unknown and malformed codes', async () => {
    await expectError(await api.app.request('/api/complaints/ABCD-EFGH-JKMN-P'), 404, 'not_found');
    await expectError(await api.app.request('/api/complaints/0000'), 404, 'not_found');
    await expectError(await api.app.request("/api/complaints/'%20OR%201=1--"), 404, 'not_found');
  });
});

describe('without a database', () => {
  it('answers 503 with a clear error, and health still answers', async () => {
    const app = createSiteApp({ production: false });
    await expectError(await postJson(app, '/api/complaints', validComplaint()), 503, 'database_unavailable');
    expect(await (await app.request('/api/health')).json()).toEqual({ status: 'ok', database: 'not_configured' });
  });
});

describe('GET /api/openapi.json', () => {
  it('describes every endpoint, the error format, and the intake schema generated from the validator', async () => {
    const res = await api.app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, { properties?: Record<string, { enum?: string[]; maxLength?: number }> }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/complaints', '/api/complaints/published', '/api/complaints/{code}', '/api/error-reports', '/api/health', '/api/search', '/api/staff/login', '/api/staff/logout', '/api/staff/me', '/api/subscriptions']);
    expect(Object.keys(doc.paths['/api/complaints']!.post!.responses)).toEqual(expect.arrayContaining(['201', '200', '413', '415', '422', '429', '503']));
    const input = doc.components.schemas.ComplaintInput!.properties!;
    expect(input.region!.enum).toEqual(testReference().regions.map((r) => r.id));
    expect(input.region!.enum).toContain('gansu-wuwei-liangzhou');
    expect(input.description!.maxLength).toBe(2000);
    expect(doc.components.schemas.Error).toBeDefined();
  });
});
