/**
 * Staff login, sessions, CSRF, the login throttle, idle timeout, cookie name and audit, on a
 * real libSQL file. The app's clock is `clock` (moved by `advance`); the client's address is
 * the X-Test-Client header (tests/support/api.ts), so a test can speak from many addresses.
 */
import { createSiteApp } from '../support/site.ts';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditLog, staffSessions, staffUsers } from '../../db/schema.ts';
import { hashPassword, PBKDF2_ITERATIONS, saltedHash, verifyPassword } from '../../functions/crypto.ts';
import { ACCOUNT_RULE, CLIENT_RULE, accountWait } from '../../functions/login-throttle.ts';
import { createStaffUser, LOGIN_REFUSED, SESSION_IDLE_MINUTES } from '../../functions/staff.ts';
import { postJson, testApi, testReference, type TestApi } from '../support/api.ts';

let api: TestApi;
const PASSWORD = 'correct horse battery staple';
const T0 = new Date('2026-11-23T04:00:00Z');
let clock: Date;
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
/** The address of requests that name none; the salt is testApi's. */
const DEFAULT_CLIENT = '198.51.100.7';
const SALT = 'test-salt';
let addresses = 0;
/** A client address not used before in this test. */
const newClient = () => `2001:db8::${(++addresses).toString(16)}`;

beforeEach(async () => {
  clock = T0;
  addresses = 0;
  api = await testApi({ now: () => clock });
  await createStaffUser(api.db, { username: 'handler1', displayName: '经办人一', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
});
afterEach(() => api.close());

async function login(password = PASSWORD, username = 'handler1', client = DEFAULT_CLIENT) {
  const res = await postJson(api.app, '/api/staff/login', { username, password }, { 'X-Test-Client': client });
  const cookie = res.headers.get('Set-Cookie') ?? '';
  return { res, cookie: cookie.split(';')[0]!, setCookie: cookie };
}

/** One login attempt, reduced to what the client sees. */
async function attempt(username: string, password: string, client = DEFAULT_CLIENT) {
  const { res } = await login(password, username, client);
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('Retry-After') };
}

describe('passwords', () => {
  it('are stored as salted PBKDF2 hashes and verified against them', async () => {
    const [user] = await api.db.select().from(staffUsers);
    expect(user!.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(user!.passwordHash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, user!.passwordHash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, user!.passwordHash)).toBe(false);
    expect(await hashPassword(PASSWORD)).not.toBe(await hashPassword(PASSWORD));
  });

  it('must be long enough, and handlers must belong to a unit', async () => {
    await expect(createStaffUser(api.db, { username: 'x', displayName: 'x', role: 'admin', password: 'short' })).rejects.toThrow('至少 12');
    await expect(createStaffUser(api.db, { username: 'y', displayName: 'y', role: 'handler', password: PASSWORD })).rejects.toThrow('单位');
  });
});

describe('login and sessions', () => {
  it('logs in with a session cookie that is HttpOnly and SameSite=Strict, and returns a CSRF token', async () => {
    const { res, setCookie } = await login();
    expect(res.status).toBe(200);
    expect(setCookie).toMatch(/portal_session=[\w-]{40,}/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const body = (await res.json()) as { user: { username: string; role: string; unit: string }; csrfToken: string };
    expect(body.user).toEqual({ id: expect.any(String), username: 'handler1', displayName: '经办人一', role: 'handler', unit: 'wuwei-housing' });
    expect(body.csrfToken.length).toBeGreaterThan(30);
    expect(JSON.stringify(body)).not.toContain('pbkdf2');
    // Only a hash of the session token is stored.
    const [session] = await api.db.select().from(staffSessions);
    expect(setCookie).not.toContain(session!.tokenHash);
  });

  it('marks the cookie Secure in production', async () => {
    const production = createSiteApp({ production: true, complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 's', reference: { regions: [], units: [], notices: [] }, clientAddress: () => 'x' } });
    const res = await postJson(production, '/api/staff/login', { username: 'handler1', password: PASSWORD });
    expect(res.headers.get('Set-Cookie')).toMatch(/; Secure/);
  });

  it('answers /me with the session and 401 without it', async () => {
    const { cookie } = await login();
    expect((await api.app.request('/api/staff/me', { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await api.app.request('/api/staff/me')).status).toBe(401);
    expect((await api.app.request('/api/staff/me', { headers: { Cookie: 'portal_session=forged' } })).status).toBe(401);
  });

  it('refuses a wrong password and an unknown user alike, auditing both', async () => {
    expect((await login('wrong password here')).res.status).toBe(401);
    const unknown = await login(PASSWORD, 'nobody');
    expect(unknown.res.status).toBe(401);
    expect(((await unknown.res.json()) as { error: { code: string } }).error.code).toBe('invalid_credentials');
    const actions = (await api.db.select().from(auditLog)).map((a) => a.action);
    expect(actions.filter((a) => a === 'login_failed')).toHaveLength(2);
  });

  it('requires the CSRF token and a same-site origin for logout, then ends the session', async () => {
    const { res, cookie } = await login();
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    expect((await api.app.request('/api/staff/logout', { method: 'POST', headers: { Cookie: cookie } })).status).toBe(403);
    expect((await api.app.request('/api/staff/logout', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken, Origin: 'https://evil.example' } })).status).toBe(403);
    const out = await api.app.request('http://localhost/api/staff/logout', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken, Origin: 'http://localhost' } });
    expect(out.status).toBe(204);
    expect(out.headers.get('Set-Cookie')).toMatch(/portal_session=;/);
    expect((await api.app.request('/api/staff/me', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await api.db.select().from(auditLog)).map((a) => a.action)).toEqual(expect.arrayContaining(['create_staff_user', 'login', 'logout']));
  });

  it('validates the login body', async () => {
    expect((await postJson(api.app, '/api/staff/login', { username: '' })).status).toBe(422);
    expect((await postJson(api.app, '/api/staff/login', 'nope')).status).toBe(400);
    expect((await api.app.request('/api/staff/login', { method: 'POST', body: 'x' })).status).toBe(415);
  });
});

describe('login throttle (instead of the account lock anyone could set off)', () => {
  it('failures from strangers lock nothing: no 423, and the owner signs in from an address used before', async () => {
    expect((await login()).res.status).toBe(200);
    // 20 addresses × 3 wrong passwords: far past the old lock's 5 and the account throttle's 10 free failures.
    for (let i = 0; i < 20; i++) {
      const client = newClient();
      for (let j = 0; j < 3; j++) expect((await attempt('handler1', `wrong-${i}-${j}-password`, client)).status).toBe(401);
    }
    expect(await accountWait(api.db, 'handler1', clock.getTime())).toBeGreaterThan(0);
    expect((await login()).res.status).toBe(200);
  });

  it('the account’s wait doubles from its 10th failure and is capped at 5 minutes; then the password lets anyone in', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 24; i++) {
      const a = await attempt('handler1', `wrong-${i}-password`, newClient());
      expect(a.status).toBe(401);
      waits.push(Number(a.retryAfter ?? 0));
      advance(waits.at(-1)! * 1000);
    }
    const cap = ACCOUNT_RULE.capMs / 1000;
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, cap, cap, cap, cap, cap, cap]);
    // Inside the wait even the right password gets the wrong-password answer (it is not checked) …
    await attempt('handler1', 'wrong-last-password', newClient());
    const early = await attempt('handler1', PASSWORD, newClient());
    expect(early).toEqual({ status: 401, body: JSON.stringify({ error: { code: LOGIN_REFUSED.code, message: LOGIN_REFUSED.message } }), retryAfter: String(cap) });
    // … and once the wait is over it lets its owner in from an address never seen, and the count starts over.
    advance(cap * 1000);
    expect((await login(PASSWORD, 'handler1', newClient())).res.status).toBe(200);
    expect((await attempt('handler1', 'wrong-again-password', newClient())).retryAfter).toBeNull();
  });

  it('one client gets 429 with Retry-After once its 5 free failures are used: of 60 attempts at once, 5 are checked', async () => {
    const client = newClient();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => login(`wrong-${i}-password`, 'handler1', client).then(({ res }) => res)));
    expect(answers.filter((r) => r.status === 401)).toHaveLength(CLIENT_RULE.free);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited).toHaveLength(60 - CLIENT_RULE.free);
    for (const r of limited) {
      expect(Number(r.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
      expect(await r.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/^登录尝试过于频繁，请在 \d+ 秒后再试。$/) } });
    }
    expect((await api.db.select().from(auditLog).where(eq(auditLog.action, 'login_failed'))).length).toBe(CLIENT_RULE.free);
    // The client's wait is its own: the account is still open to others.
    expect((await login(PASSWORD, 'handler1', newClient())).res.status).toBe(200);
  });

  it('the per-client limit is stricter than the per-account one: one address alone never keeps an account throttled', async () => {
    expect(CLIENT_RULE.free).toBeLessThan(ACCOUNT_RULE.free);
    expect(CLIENT_RULE.capMs).toBeGreaterThan(ACCOUNT_RULE.capMs);
    const attacker = newClient();
    for (let i = 0; i < 20; i++) {
      const a = await attempt('handler1', `wrong-${i}-password`, attacker);
      expect(a.status).toBe(401);
      // By the time this address may try again, the account is open to everyone.
      advance(Number(a.retryAfter ?? 0) * 1000);
      expect(await accountWait(api.db, 'handler1', clock.getTime())).toBe(0);
    }
    expect((await login(PASSWORD, 'handler1', newClient())).res.status).toBe(200);
  });

  it('the login form answers a throttled client with 429, the wait and Retry-After', async () => {
    const post = (i: number) =>
      api.app.request('/staff/login/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Test-Client': '192.0.2.50' }, body: new URLSearchParams({ username: 'handler1', password: `wrong-${i}-password` }) });
    for (let i = 0; i < CLIENT_RULE.free; i++) {
      const res = await post(i);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain(LOGIN_REFUSED.message);
    }
    const limited = await post(99);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await limited.text()).toMatch(/登录尝试过于频繁，请在 \d+ 秒后再试。/);
  });
});

describe('answers that reveal nothing about the account', () => {
  async function disabledUser(username: string) {
    await createStaffUser(api.db, { username, displayName: username, role: 'viewer', password: PASSWORD });
    await api.db.update(staffUsers).set({ disabled: true }).where(eq(staffUsers.username, username));
  }

  it('unknown, disabled and existing accounts get the same answers to the same attempts, throttled or not', async () => {
    await disabledUser('disabled1');
    const run = async (username: string) => {
      const seen = [];
      for (let i = 0; i < 14; i++) seen.push(await attempt(username, `wrong-${i}-password`, `${username}-client-${i}`));
      // The account is throttled now: the right password gets the wrong-password answer too.
      seen.push(await attempt(username, PASSWORD, `${username}-client-last`));
      return seen;
    };
    const existing = await run('handler1');
    expect(existing.map((a) => a.status)).toEqual(Array(15).fill(401));
    expect(new Set(existing.map((a) => a.body))).toEqual(new Set([JSON.stringify({ error: { code: 'invalid_credentials', message: LOGIN_REFUSED.message } })]));
    expect(existing.map((a) => a.retryAfter)).toEqual([...Array(9).fill(null), ...Array(6).fill('1')]);
    expect(await run('nobody')).toEqual(existing);
    expect(await run('disabled1')).toEqual(existing);
    // Case, width and spaces do not make a new counter.
    expect((await attempt('ＨＡＮＤＬＥＲ1 ', PASSWORD, newClient())).retryAfter).toBe('1');
  });

  it('every refusal that names an account runs one PBKDF2 verification, so none answers sooner than a wrong password', async () => {
    await createStaffUser(api.db, { username: 'handler2', displayName: '经办人二', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
    await disabledUser('disabled1');
    for (let i = 0; i < ACCOUNT_RULE.free; i++) await attempt('handler1', `wrong-${i}-password`, newClient());
    await attempt('nobody', PASSWORD, newClient()); // makes the dummy hash, once per process
    const cases: Record<string, [string, string]> = {
      'wrong password': ['handler2', 'wrong password here'],
      'unknown user': ['nobody', PASSWORD],
      'disabled account': ['disabled1', PASSWORD],
      'throttled account, right password': ['handler1', PASSWORD],
    };
    const times: Record<string, number[]> = {};
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    try {
      for (let round = 0; round < 5; round++) {
        for (const [kind, [username, password]] of Object.entries(cases)) {
          derive.mockClear();
          const start = performance.now();
          const a = await attempt(username, password, newClient());
          (times[kind] ??= []).push(performance.now() - start);
          expect(a.status, kind).toBe(401);
          expect(derive, kind).toHaveBeenCalledTimes(1);
          expect(derive.mock.calls[0]![0], kind).toMatchObject({ name: 'PBKDF2', iterations: PBKDF2_ITERATIONS });
        }
      }
    } finally {
      derive.mockRestore();
    }
    // Loosely (the machine is shared): the old lock answered 5× sooner than a wrong password.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const kind of Object.keys(cases)) expect(median(times[kind]!), kind).toBeGreaterThan(0.4 * median(times['wrong password']!));
  });

  it('audits failed, throttled and successful logins with the salted hash of the client address', async () => {
    await attempt('nobody', PASSWORD, '192.0.2.1');
    await attempt('handler1', 'wrong password here', '192.0.2.2');
    await login(PASSWORD, 'handler1', '192.0.2.3');
    for (let i = 0; i < ACCOUNT_RULE.free; i++) await attempt('victim', `wrong-${i}-password`, newClient());
    await attempt('victim', PASSWORD, '192.0.2.4');
    const rows = (await api.db.select().from(auditLog)).filter((r) => r.action.startsWith('login'));
    const user = (await api.db.select().from(staffUsers))[0]!.id;
    expect(rows.filter((r) => !r.clientHash)).toEqual([]);
    const byClient = async (address: string) => {
      const hash = await saltedHash(SALT, address);
      return rows.filter((r) => r.clientHash === hash).map((r) => [r.action, r.actor]);
    };
    expect(await byClient('192.0.2.1')).toEqual([['login_failed', 'anonymous']]);
    expect(await byClient('192.0.2.2')).toEqual([['login_failed', user]]);
    expect(await byClient('192.0.2.3')).toEqual([['login', user]]);
    expect(await byClient('192.0.2.4')).toEqual([['login_throttled', 'anonymous']]);
    expect(JSON.stringify(rows)).not.toMatch(/192\.0\.2|2001:db8|victim|nobody/);
  });
});

describe('idle timeout', () => {
  const me = (cookie: string) => api.app.request('/api/staff/me', { headers: { Cookie: cookie } });

  it(`refuses and deletes a session unused for ${SESSION_IDLE_MINUTES} minutes; the login page says it expired`, async () => {
    const { cookie } = await login();
    advance(29 * 60_000);
    expect((await me(cookie)).status).toBe(200);
    advance(29 * 60_000);
    expect((await me(cookie)).status).toBe(200); // kept alive by use
    advance(31 * 60_000);
    const idle = await me(cookie);
    expect(idle.status).toBe(401);
    expect(await idle.json()).toEqual({ error: { code: 'unauthenticated', message: '登录已失效，请重新登录。' } });
    expect(await api.db.select().from(staffSessions)).toHaveLength(0);
    // A page sends the browser to the login, which says why once and drops the dead cookie.
    const page = await api.app.request('/staff/', { headers: { Cookie: cookie } });
    expect(page.headers.get('Location')).toBe('/staff/login/');
    const loginPage = await api.app.request('/staff/login/', { headers: { Cookie: cookie } });
    expect(loginPage.status).toBe(200);
    expect(await loginPage.text()).toContain(`登录已过期（${SESSION_IDLE_MINUTES} 分钟未操作、登录已满 8 小时或会话已被结束），请重新登录。`);
    expect(loginPage.headers.get('Set-Cookie')).toMatch(/^portal_session=;/);
    expect(await (await api.app.request('/staff/login/')).text()).not.toContain('登录已过期');
  });

  it('writes last_seen_at at login and then at most once a minute', async () => {
    const { cookie } = await login();
    const lastSeen = async () => (await api.db.select().from(staffSessions))[0]!.lastSeenAt;
    expect(await lastSeen()).toBe(T0.toISOString());
    advance(30_000);
    await me(cookie);
    advance(29_000);
    await me(cookie);
    expect(await lastSeen()).toBe(T0.toISOString());
    advance(2_000);
    await me(cookie);
    expect(await lastSeen()).toBe(clock.toISOString());
  });

  it('still ends a session after 8 hours however busy it is', async () => {
    const { cookie } = await login();
    for (let i = 0; i < 23; i++) {
      advance(20 * 60_000);
      expect((await me(cookie)).status).toBe(200);
    }
    advance(20 * 60_000);
    expect((await me(cookie)).status).toBe(401);
  });
});

describe('session cookie name', () => {
  const productionApp = () =>
    createSiteApp({ production: true, complaints: { db: api.db, contactKey: api.contactKey, clientSalt: SALT, reference: testReference(), clientAddress: () => DEFAULT_CLIENT, now: () => clock } });

  it('is __Host-portal_session in production: Secure, Path=/, no Domain; a plain portal_session cookie is not accepted there', async () => {
    const app = productionApp();
    const res = await postJson(app, '/api/staff/login', { username: 'handler1', password: PASSWORD });
    const set = res.headers.get('Set-Cookie')!;
    expect(set).toMatch(/^__Host-portal_session=[\w-]{40,};/);
    expect(set).toMatch(/; Path=\/(;|$)/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    expect(set).not.toMatch(/Domain=/i);
    const token = set.split(';')[0]!.slice('__Host-portal_session='.length);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    expect((await app.request('/api/staff/me', { headers: { Cookie: `portal_session=${token}` } })).status).toBe(401);
    expect((await app.request('/api/staff/me', { headers: { Cookie: `__Host-portal_session=${token}` } })).status).toBe(200);
    const out = await app.request('http://localhost/api/staff/logout', { method: 'POST', headers: { Cookie: `__Host-portal_session=${token}`, 'X-CSRF-Token': csrfToken, Origin: 'http://localhost' } });
    expect(out.status).toBe(204);
    expect(out.headers.get('Set-Cookie')).toMatch(/^__Host-portal_session=;.*Path=\/.*Secure/);
  });

  it('is plain portal_session in development over http (a __Host- cookie needs HTTPS)', async () => {
    const { setCookie } = await login();
    expect(setCookie).toMatch(/^portal_session=/);
    expect(setCookie).not.toMatch(/Secure/);
    const token = setCookie.split(';')[0]!.slice('portal_session='.length);
    expect((await api.app.request('/api/staff/me', { headers: { Cookie: `__Host-portal_session=${token}` } })).status).toBe(401);
  });
});
