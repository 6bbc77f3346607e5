/**
 * The intake pipeline (functions/intake.ts) on a real libSQL file: called directly, with an
 * address and a reading of the body and no web framework; and under the app, where the JSON API,
 * the form and Open311 share one intake schema a day.
 */
import { createSiteApp } from '../support/site.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { intake, type IntakeDeps, type IntakeSubmission } from '../../functions/intake.ts';
import { complaintInput } from '../../src/domain/complaint.ts';
import { testApi, testReference, validComplaint, validComplaintForm, type TestApi } from '../support/api.ts';

// Counts how often the intake schema is built (it costs more than validating with it).
vi.mock('../../src/domain/complaint.ts', async (original) => {
  const actual = await original<typeof import('../../src/domain/complaint.ts')>();
  return { ...actual, complaintInput: vi.fn(actual.complaintInput) };
});

let api: TestApi;
let clock: Date;
let deps: IntakeDeps;

beforeEach(async () => {
  clock = new Date('2026-11-23T04:00:00Z');
  api = await testApi();
  deps = { db: api.db, contactKey: api.contactKey, clientSalt: 'intake-test', reference: testReference(), now: () => clock };
  vi.mocked(complaintInput).mockClear();
});
afterEach(() => api.close());

/** A submission of `input` as the JSON API would read it. */
const submission = (input: unknown, key?: string): IntakeSubmission => ({
  input,
  key: key === undefined ? undefined : { submission: key },
  captcha: { token: () => undefined, when: 'fields-valid' },
});
const submit = (address: string, input: unknown, key?: string) => intake<never>(deps, { address, read: async () => submission(input, key) });

describe('intake without a web framework', () => {
  it('stores a complaint, replays a retry under the same key, and refuses the key with another body', async () => {
    const first = await submit('192.0.2.1', validComplaint(), 'intake-key-0001');
    expect(first).toMatchObject({ ok: { stateLabel: '已提交' }, replay: false });
    const retry = await submit('192.0.2.2', validComplaint(), 'intake-key-0001');
    expect(retry).toEqual({ ok: (first as { ok: unknown }).ok, replay: true });
    expect(await submit('192.0.2.1', validComplaint({ address: '另一个地址' }), 'intake-key-0001')).toEqual({ keyReused: true });
    expect(await api.db.$count(complaints)).toBe(1);
  });

  it('refuses invalid fields by name, storing nothing', async () => {
    const outcome = await submit('192.0.2.1', validComplaint({ description: '太短' }));
    expect(outcome).toEqual({ refused: { description: expect.stringMatching(/[\u4e00-\u9fff]/) } });
    expect(await api.db.$count(complaints)).toBe(0);
  });

  it('counts a body the channel could not read as refused, and reads nothing once over a budget', async () => {
    deps.limits = { intakeRefused: { max: 2, windowSeconds: 600 } };
    const read = vi.fn(async () => ({ rejected: 'unreadable' }));
    expect(await intake(deps, { address: '192.0.2.3', read })).toEqual({ rejected: 'unreadable' });
    expect(await intake(deps, { address: '192.0.2.3', read })).toEqual({ rejected: 'unreadable' });
    const limited = await intake(deps, { address: '192.0.2.3', read });
    expect(limited).toEqual({ rateLimited: expect.any(Number) });
    expect(read).toHaveBeenCalledTimes(2);
    // Another client is not affected, and accepted complaints are not counted as refused.
    expect(await submit('192.0.2.4', validComplaint())).toMatchObject({ replay: false });
    expect(await submit('192.0.2.4', validComplaint({ address: '第二件' }))).toMatchObject({ replay: false });
    expect(await submit('192.0.2.4', validComplaint({ address: '第三件' }))).toMatchObject({ replay: false });
  });

  it('checks the CAPTCHA with every other problem, or only for an otherwise valid body, or not at all', async () => {
    const asked: string[] = [];
    deps.captcha = { field: 'captchaToken', verify: async (token) => (asked.push(token), token === 'human') };
    const withToken = (input: unknown, when: 'always' | 'fields-valid' | 'exempt', token: string) =>
      intake<never>(deps, { address: '192.0.2.5', read: async () => ({ input, key: undefined, captcha: when === 'exempt' ? 'exempt' : { token: () => token, when } }) });
    const invalid = validComplaint({ description: '太短' });
    expect(await withToken(invalid, 'always', 'robot')).toEqual({ refused: { description: expect.any(String), captcha: '人机验证未通过，请重试' } });
    expect(await withToken(invalid, 'fields-valid', 'robot')).toEqual({ refused: { description: expect.any(String) } });
    expect(asked).toEqual(['robot']);
    expect(await withToken(validComplaint(), 'fields-valid', '')).toEqual({ refused: { captcha: '请完成人机验证' } });
    expect(await withToken(validComplaint(), 'fields-valid', 'human')).toMatchObject({ replay: false });
    expect(await withToken(validComplaint({ address: '合作方提交' }), 'exempt', '')).toMatchObject({ replay: false });
    expect(asked).toEqual(['robot', 'human']);
  });

  it('refuses photos when no store is configured', async () => {
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'a.jpg', { type: 'image/jpeg' });
    const outcome = await intake<never>(deps, { address: '192.0.2.6', read: async () => ({ ...submission(validComplaint()), photos: [photo] }) });
    expect(outcome).toEqual({ refused: { photos: '本站暂不接收照片' } });
  });
});

describe('the intake schema', () => {
  it('is built once a day for the JSON API, the form and Open311 together', async () => {
    const app = createSiteApp({ production: false, open311Keys: ['test-key-123'], complaints: { ...deps, clientAddress: () => '198.51.100.9' } });
    const form = (formKey: string) => new URLSearchParams(Object.entries(validComplaintForm(formKey)).flatMap(([k, v]) => [v].flat().map((x) => [k, x])));
    let n = 0;
    const send = () => (n++, Promise.all([
        app.request('/api/complaints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validComplaint({ address: `地址 ${n}` })) }),
        app.request('/complaints/new/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(`form-key-000000${n}`) }),
        app.request('/open311/v2/requests.json', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ api_key: 'test-key-123', service_code: 'water', 'attribute[region]': 'gansu-wuwei-minqin', 'attribute[observed_at]': '2026-11-20', address_string: `民勤县某村排渠 ${n}`, description: '排渠里的水发黑发臭，有死鱼漂浮。' }),
        }),
      ]));
    expect((await send()).map((r) => r.status)).toEqual([201, 303, 201]);
    expect((await send()).map((r) => r.status)).toEqual([201, 303, 201]);
    expect(complaintInput).toHaveBeenCalledTimes(1);
    clock = new Date('2026-11-24T04:00:00Z');
    expect((await send()).map((r) => r.status)).toEqual([201, 303, 201]);
    expect(vi.mocked(complaintInput).mock.calls.map((call) => call[1])).toEqual(['2026-11-23', '2026-11-24']);
  });
});
