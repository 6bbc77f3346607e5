/** Staff login, sessions, CSRF, lockout and audit, on a real libSQL file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, staffSessions, staffUsers } from '../../db/schema.ts';
import { hashPassword, verifyPassword } from '../../functions/crypto.ts';
import { createApp } from '../../functions/app.ts';
import { createStaffUser, MAX_FAILED_LOGINS } from '../../functions/staff.ts';
import { postJson, testApi, type TestApi } from '../support/api.ts';

let api: TestApi;
const PASSWORD = 'correct horse battery staple';

beforeEach(async () => {
  api = await testApi();
  await createStaffUser(api.db, { username: 'handler1', displayName: '经办人一', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
});
afterEach(() => api.close());

async function login(password = PASSWORD, username = 'handler1') {
  const res = await postJson(api.app, '/api/staff/login', { username, password });
  const cookie = res.headers.get('Set-Cookie') ?? '';
  return { res, cookie: cookie.split(';')[0]!, setCookie: cookie };
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
    const production = createApp({ production: true, complaints: { db: api.db, contactKey: api.contactKey, clientSalt: 's', reference: { regions: [], units: [], notices: [] }, clientAddress: () => 'x' } });
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

  it(`locks the account after ${MAX_FAILED_LOGINS} failures, even against the right password`, async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await login(`wrong-${i}-password`)).res.status).toBe(401);
    const locked = (await login()).res;
    expect(locked.status).toBe(423);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await api.db.select().from(auditLog)).map((a) => a.action)).toContain('account_locked');
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
