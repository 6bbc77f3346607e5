/**
 * The staff CLI (scripts/staff.ts): disable, enable, unlock, reset-password and
 * revoke-sessions through the functions behind them, on a real libSQL file, and
 * once through the script itself.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, staffSessions, staffUsers } from '../../db/schema.ts';
import { importContactKey, newKeyBase64, verifyPassword } from '../../functions/crypto.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import { accountWait, ACCOUNT_RULE } from '../../functions/login-throttle.ts';
import { createStaffUser, LOGIN_REFUSED } from '../../functions/staff.ts';
import { resetStaffPassword, revokeStaffSessions, setStaffDisabled, staffEmailOf, UnknownStaffUser, unlockStaffUser } from '../../functions/staff-accounts.ts';
import { postJson, testApi, type TestApi } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a new passphrase, 2026';
/** The app's clock stands still: the throttle's waits do not run out while a slow machine works. */
const NOW = new Date('2026-11-23T04:00:00Z');
let api: TestApi;
let clients = 0;

beforeEach(async () => {
  api = await testApi({ now: () => NOW });
  await createStaffUser(api.db, { username: 'handler1', displayName: '经办人一', role: 'handler', unit: 'wuwei-housing', password: PASSWORD });
  await createStaffUser(api.db, { username: 'viewer1', displayName: '只读一', role: 'viewer', password: PASSWORD });
});
afterEach(() => api.close());

/** Logs in from an address of its own (so one test's failures do not throttle the next step). */
async function login(username = 'handler1', password = PASSWORD) {
  const res = await postJson(api.app, '/api/staff/login', { username, password }, { 'X-Test-Client': `203.0.113.${++clients}` });
  return { status: res.status, body: await res.text(), cookie: (res.headers.get('Set-Cookie') ?? '').split(';')[0]! };
}
const me = (cookie: string) => api.app.request('/api/staff/me', { headers: { Cookie: cookie } });
const sessionsOf = async (username: string) => {
  const user = await api.db.query.staffUsers.findFirst({ where: eq(staffUsers.username, username) });
  return api.db.select().from(staffSessions).where(eq(staffSessions.userId, user!.id));
};
const cliAudit = async () => (await api.db.select().from(auditLog).where(eq(auditLog.actor, 'cli'))).map((a) => a.action);
const refused = JSON.stringify({ error: { code: LOGIN_REFUSED.code, message: LOGIN_REFUSED.message } });

describe('staff account commands', () => {
  it('disable ends the account’s sessions and refuses its right password like a wrong one; enable lets it in again', async () => {
    const { cookie } = await login();
    await login();
    const { sessionsEnded } = await setStaffDisabled(api.db, 'handler1', true);
    expect(sessionsEnded).toBe(2);
    expect(await sessionsOf('handler1')).toHaveLength(0);
    expect((await me(cookie)).status).toBe(401);
    expect(await login()).toMatchObject({ status: 401, body: refused });
    await setStaffDisabled(api.db, 'handler1', false);
    expect((await login()).status).toBe(200);
    expect(await cliAudit()).toEqual(['create_staff_user', 'create_staff_user', 'disable_staff_user', 'enable_staff_user']);
  });

  it('unlock clears the account’s throttle, so its password works again at once', async () => {
    for (let i = 0; i < ACCOUNT_RULE.free; i++) expect((await login('handler1', `wrong-${i}-password`)).status).toBe(401);
    expect(await accountWait(api.db, 'handler1', NOW.getTime())).toBeGreaterThan(0);
    expect(await login()).toMatchObject({ status: 401, body: refused });
    expect(await unlockStaffUser(api.db, 'handler1')).toBe(true);
    expect(await accountWait(api.db, 'handler1', NOW.getTime())).toBe(0);
    expect((await login()).status).toBe(200);
    expect(await unlockStaffUser(api.db, 'handler1')).toBe(false);
    expect(await cliAudit()).toEqual(expect.arrayContaining(['unlock_staff_user']));
  });

  it('reset-password needs 12 characters, replaces the password and ends the account’s sessions', async () => {
    const { cookie } = await login();
    await expect(resetStaffPassword(api.db, 'handler1', 'too short')).rejects.toThrow('至少 12');
    expect((await me(cookie)).status).toBe(200);
    expect(await resetStaffPassword(api.db, 'handler1', NEW_PASSWORD)).toEqual({ sessionsEnded: 1 });
    expect((await me(cookie)).status).toBe(401);
    expect((await login('handler1', PASSWORD)).status).toBe(401);
    expect((await login('handler1', NEW_PASSWORD)).status).toBe(200);
    const audit = await api.db.select().from(auditLog).where(eq(auditLog.action, 'reset_staff_password'));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
  });

  it('revoke-sessions deletes every session of the account and no one else’s', async () => {
    const one = await login();
    const two = await login();
    const other = await login('viewer1');
    expect(await revokeStaffSessions(api.db, 'handler1')).toBe(2);
    expect((await me(one.cookie)).status).toBe(401);
    expect((await me(two.cookie)).status).toBe(401);
    expect((await me(other.cookie)).status).toBe(200);
    expect(await cliAudit()).toContain('revoke_staff_sessions');
  });

  it('every command refuses an account that does not exist, changing nothing', async () => {
    const before = (await api.db.select().from(auditLog)).length;
    await expect(setStaffDisabled(api.db, 'nobody', true)).rejects.toThrow(UnknownStaffUser);
    await expect(setStaffDisabled(api.db, 'nobody', false)).rejects.toThrow(UnknownStaffUser);
    await expect(unlockStaffUser(api.db, 'nobody')).rejects.toThrow(UnknownStaffUser);
    await expect(resetStaffPassword(api.db, 'nobody', NEW_PASSWORD)).rejects.toThrow(UnknownStaffUser);
    await expect(revokeStaffSessions(api.db, 'nobody')).rejects.toThrow(UnknownStaffUser);
    expect((await api.db.select().from(auditLog)).length).toBe(before);
  });
});

describe('npm run staff', () => {
  it('runs every command against the database, reads passwords from the environment or standard input, never the command line', { timeout: 120_000 }, async () => {
    const url = `file:${join(api.dir, 'cli.db')}`;
    const { STAFF_PASSWORD: _, ...env } = process.env;
    const run = (args: string[], options: { input?: string; password?: string } = {}) => {
      const r = spawnSync('node_modules/.bin/tsx', ['scripts/staff.ts', ...args], {
        env: { ...env, DATABASE_URL: url, ...(options.password ? { STAFF_PASSWORD: options.password } : {}) },
        input: options.input ?? '',
        encoding: 'utf8',
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    expect(run(['create', '--username', 'admin', '--name', '管理员', '--role', 'admin'], { password: PASSWORD })).toMatchObject({ code: 0, out: '已创建账号 admin（admin）。\n' });
    const onCommandLine = run(['reset-password', '--username', 'admin', '--password', NEW_PASSWORD]);
    expect(onCommandLine.code).toBe(2);
    expect(onCommandLine.err).toContain('密码不能写在命令行上');
    expect(run(['reset-password', '--username', 'admin'], { input: 'short\n' })).toMatchObject({ code: 1, err: expect.stringContaining('至少 12') });
    expect(run(['reset-password', '--username', 'admin'], { input: `${NEW_PASSWORD}\n` })).toMatchObject({ code: 0, out: '已重设账号 admin 的密码，结束会话 0 个。\n' });
    expect(run(['disable', '--username', 'admin'])).toMatchObject({ code: 0, out: '已停用账号 admin，结束会话 0 个。\n' });
    expect(run(['list']).out).toBe('admin\tadmin\t—\t已停用\t无邮箱\n');
    expect(run(['enable', '--username', 'admin'])).toMatchObject({ code: 0, out: '已启用账号 admin。\n' });
    expect(run(['unlock', '--username', 'admin'])).toMatchObject({ code: 0, out: '账号 admin 没有登录限制，无需清除。\n' });
    expect(run(['revoke-sessions', '--username', 'admin'])).toMatchObject({ code: 0, out: '已结束账号 admin 的会话 0 个。\n' });
    expect(run(['disable', '--username', 'nobody'])).toMatchObject({ code: 1, err: expect.stringContaining('没有用户名为“nobody”的账号') });
    expect(run(['frobnicate']).code).toBe(1);

    const db = await openLocalDatabase(url);
    try {
      const [admin] = await db.select().from(staffUsers);
      expect(admin!.disabled).toBe(false);
      expect(await verifyPassword(NEW_PASSWORD, admin!.passwordHash)).toBe(true);
      const audit = await db.select().from(auditLog);
      expect(audit.map((a) => [a.actor, a.action])).toEqual(
        ['create_staff_user', 'reset_staff_password', 'disable_staff_user', 'enable_staff_user', 'unlock_staff_user', 'revoke_staff_sessions'].map((action) => ['cli', action]),
      );
    } finally {
      db.$client.close();
    }
  });

  it('sets and clears the address deadline reminders go to, encrypted with the contact key, audited masked', { timeout: 120_000 }, async () => {
    const url = `file:${join(api.dir, 'cli-email.db')}`;
    const key = newKeyBase64();
    const { STAFF_PASSWORD: _, ...env } = process.env;
    const run = (args: string[]) => {
      const r = spawnSync('node_modules/.bin/tsx', ['scripts/staff.ts', ...args], {
        env: { ...env, DATABASE_URL: url, CONTACT_ENCRYPTION_KEY: key, CLIENT_HASH_SALT: 'cli-salt', STAFF_PASSWORD: PASSWORD },
        encoding: 'utf8',
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    expect(run(['create', '--username', 'zjj1', '--role', 'handler', '--unit', 'wuwei-housing', '--email', 'Zjj1@Example.gov.cn'])).toMatchObject({ code: 0, out: '已创建账号 zjj1（handler，wuwei-housing，z***@example.gov.cn）。\n' });
    expect(run(['list']).out).toBe('zjj1\thandler\twuwei-housing\t启用\t有邮箱\n');
    expect(run(['set-email', '--username', 'zjj1', '--email', 'not-an-address'])).toMatchObject({ code: 1, err: expect.stringContaining('电子邮箱') });
    expect(run(['set-email', '--username', 'zjj1'])).toMatchObject({ code: 1, err: expect.stringContaining('--email') });
    expect(run(['set-email', '--username', 'zjj1', '--email', 'office@example.gov.cn'])).toMatchObject({ code: 0, out: expect.stringContaining('o***@example.gov.cn') });
    const db = await openLocalDatabase(url);
    try {
      const [user] = await db.select().from(staffUsers);
      expect(user!.emailCiphertext).not.toContain('office');
      expect(await staffEmailOf(await importContactKey(key), user!)).toBe('office@example.gov.cn');
      expect(run(['clear-email', '--username', 'zjj1'])).toMatchObject({ code: 0, out: '已删除账号 zjj1 的邮箱。\n' });
      const [cleared] = await db.select().from(staffUsers);
      expect(cleared!.emailCiphertext).toBeNull();
      const audit = await db.select().from(auditLog);
      expect(audit.filter((a) => a.action.endsWith('staff_email')).map((a) => [a.action, a.detail])).toEqual([
        ['set_staff_email', 'zjj1：z***@example.gov.cn'],
        ['set_staff_email', 'zjj1：o***@example.gov.cn'],
        ['clear_staff_email', 'zjj1'],
      ]);
    } finally {
      db.$client.close();
    }
  });
});
