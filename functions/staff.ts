/**
 * Staff authentication: password login with lockout, a session cookie
 * (HttpOnly, SameSite=Strict, Secure in production), CSRF tokens for every
 * state-changing request, logout, and an audit entry for each of these.
 *
 * POST /api/staff/login   { username, password } → 200 { user, csrfToken } and the session cookie
 * POST /api/staff/logout  (session + X-CSRF-Token) → 204
 * GET  /api/staff/me      (session) → { user, csrfToken }
 */
import { and, eq, gt } from 'drizzle-orm';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { auditLog, staffSessions, staffUsers } from '../db/schema.ts';
import { hashPassword, randomToken, saltedHash, verifyPassword } from './crypto.ts';
import type { Database } from './db.ts';
import { apiError } from './errors.ts';

export const SESSION_COOKIE = 'portal_session';
export const SESSION_HOURS = 8;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export type { StaffRole } from '../src/domain/complaint-handling.ts';
import type { StaffRole } from '../src/domain/complaint-handling.ts';
export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  unit: string | null;
}
export interface StaffVariables {
  user: StaffUser;
  csrfToken: string;
}

export interface StaffDeps extends OriginCheck {
  db: Database;
  /** Production sets the Secure flag on the cookie. */
  production: boolean;
  now?: () => Date;
}

/** Records one staff action. Callers pass no personal data of reporters in `detail`. */
export async function audit(db: Database, at: Date, actor: string, action: string, target?: string, detail?: string) {
  await db.insert(auditLog).values({ at: at.toISOString(), actor, action, target: target ?? null, detail: detail ?? null });
}

const loginBody = z.object({
  username: z.string().trim().min(1, '请填写用户名').max(64, '用户名过长'),
  password: z.string().min(1, '请填写密码').max(256, '密码过长'),
});

// Compared against when the user does not exist, so the answer takes as long either way.
// Made on first use: Workers do not allow random generation at module scope.
let dummyHash: Promise<string> | undefined;
const DUMMY_HASH = () => (dummyHash ??= hashPassword('not-a-real-password'));

export function publicUser(u: typeof staffUsers.$inferSelect): StaffUser {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, unit: u.unit };
}

/** The signed-in user and the session's CSRF token, from the session cookie; undefined if none is valid. */
export async function sessionOf(c: Context, deps: StaffDeps): Promise<{ user: StaffUser; csrfToken: string } | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || token.length > 200) return undefined;
  const tokenHash = await saltedHash('session', token);
  const row = await deps.db
    .select({ user: staffUsers, csrfToken: staffSessions.csrfToken })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffSessions.userId, staffUsers.id))
    .where(and(eq(staffSessions.tokenHash, tokenHash), gt(staffSessions.expiresAt, (deps.now ?? (() => new Date()))().toISOString())))
    .get();
  if (!row || row.user.disabled) return undefined;
  return { user: publicUser(row.user), csrfToken: row.csrfToken };
}

/** What a browser's Origin is compared with (crossOrigin). */
export interface OriginCheck {
  /** SITE_URL: when set, its origin is the only one allowed. */
  siteUrl?: string | undefined;
  /** Else the origin the browser used, as the runtime reconstructs it (through trusted proxies); default: the request URL's. */
  requestOrigin?: ((c: Context) => string) | undefined;
}

/**
 * A state-changing request from another site is refused even with the cookie (SameSite=Strict is the first guard).
 * Behind a TLS-terminating proxy the request URL is http://…, so the origin is SITE_URL's or the proxy's account of it.
 */
export function crossOrigin(c: Context, check: OriginCheck = {}): boolean {
  const origin = c.req.header('Origin');
  if (!origin) return false;
  const expected = check.siteUrl ? new URL(check.siteUrl).origin : (check.requestOrigin?.(c) ?? new URL(c.req.url).origin);
  return origin !== expected;
}

/** Resolves the session cookie to a user, or answers 401. */
export function requireStaff(deps: StaffDeps): MiddlewareHandler<{ Variables: StaffVariables }> {
  return async (c, next) => {
    const session = await sessionOf(c, deps);
    if (!session) return apiError(c, 401, 'unauthenticated', getCookie(c, SESSION_COOKIE) ? '登录已失效，请重新登录。' : '请先登录。');
    c.set('user', session.user);
    c.set('csrfToken', session.csrfToken);
    // Every state-changing request must carry the session's CSRF token, and come from this site.
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      if (crossOrigin(c, deps)) return apiError(c, 403, 'csrf_failed', '请求来源不符。');
      if (c.req.header('X-CSRF-Token') !== session.csrfToken) return apiError(c, 403, 'csrf_failed', '安全校验失败，请刷新页面后重试。');
    }
    return next();
  };
}

type LoginResult =
  | { ok: true; user: StaffUser; token: string; csrfToken: string; expires: Date }
  | { ok: false; status: 401 | 423; code: string; message: string; retryAfter?: number };

/**
 * Checks a username and password, with the lockout after repeated failures,
 * and opens a session. Every attempt is audited.
 */
export async function attemptLogin(db: Database, username: string, password: string, at: Date): Promise<LoginResult> {
  const user = await db.query.staffUsers.findFirst({ where: eq(staffUsers.username, username) });
  const refused = { ok: false, status: 401, code: 'invalid_credentials', message: '用户名或密码错误。' } as const;
  if (!user) {
    await verifyPassword(password, await DUMMY_HASH());
    await audit(db, at, 'anonymous', 'login_failed', undefined, '用户名不存在');
    return refused;
  }
  if (user.lockedUntil && user.lockedUntil > at.toISOString()) {
    await audit(db, at, user.id, 'login_refused_locked', user.id);
    const minutes = Math.ceil((Date.parse(user.lockedUntil) - at.getTime()) / 60_000);
    return { ok: false, status: 423, code: 'account_locked', message: `登录失败次数过多，账号已锁定，请 ${minutes} 分钟后再试。`, retryAfter: Math.ceil((Date.parse(user.lockedUntil) - at.getTime()) / 1000) };
  }
  if (user.disabled || !(await verifyPassword(password, user.passwordHash))) {
    const failed = user.failedLogins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await db
      .update(staffUsers)
      .set({ failedLogins: lock ? 0 : failed, lockedUntil: lock ? new Date(at.getTime() + LOCKOUT_MINUTES * 60_000).toISOString() : user.lockedUntil })
      .where(eq(staffUsers.id, user.id));
    await audit(db, at, user.id, lock ? 'account_locked' : 'login_failed', user.id);
    return refused;
  }
  const token = randomToken();
  const csrfToken = randomToken();
  const expires = new Date(at.getTime() + SESSION_HOURS * 3600_000);
  await db.batch([
    db.insert(staffSessions).values({ tokenHash: await saltedHash('session', token), userId: user.id, csrfToken, createdAt: at.toISOString(), expiresAt: expires.toISOString() }),
    db.update(staffUsers).set({ failedLogins: 0, lockedUntil: null }).where(eq(staffUsers.id, user.id)),
  ]);
  await audit(db, at, user.id, 'login', user.id);
  return { ok: true, user: publicUser(user), token, csrfToken, expires };
}

export function setSessionCookie(c: Context, deps: StaffDeps, token: string, expires: Date) {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: deps.production, path: '/', expires });
}

/** Deletes the session behind the cookie and the cookie itself. */
export async function endSession(c: Context, deps: StaffDeps, userId: string, at: Date) {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await deps.db.delete(staffSessions).where(eq(staffSessions.tokenHash, await saltedHash('session', token)));
  await audit(deps.db, at, userId, 'logout', userId);
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: deps.production, sameSite: 'Strict' });
}

/** Allows only the given roles; use after requireStaff. */
export function requireRole(...roles: StaffRole[]): MiddlewareHandler<{ Variables: StaffVariables }> {
  return async (c, next) => {
    if (!roles.includes(c.get('user').role)) return apiError(c, 403, 'forbidden', '您的账号无权执行此操作。');
    return next();
  };
}

export function staffRoutes(deps: StaffDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<{ Variables: StaffVariables }>();

  app.post('/login', bodyLimit({ maxSize: 4096, onError: (c) => apiError(c, 413, 'payload_too_large', '请求内容过大。') }), async (c: Context) => {
    if (!(c.req.header('Content-Type') ?? '').startsWith('application/json')) {
      return apiError(c, 415, 'unsupported_media_type', '请以 application/json 提交。');
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return apiError(c, 400, 'invalid_json', '请求内容不是有效的 JSON。');
    }
    const parsed = loginBody.safeParse(body);
    if (!parsed.success) {
      // A body that is not an object has no field to name: its issue is keyed '_' (as in fieldErrors).
      return apiError(c, 422, 'validation_failed', '请填写用户名和密码。', Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? '_'), i.message])));
    }
    const result = await attemptLogin(db, parsed.data.username, parsed.data.password, now());
    if (!result.ok) {
      if (result.retryAfter) c.header('Retry-After', String(result.retryAfter));
      return apiError(c, result.status, result.code, result.message);
    }
    setSessionCookie(c, deps, result.token, result.expires);
    return c.json({ user: result.user, csrfToken: result.csrfToken });
  });

  app.get('/me', requireStaff(deps), (c) => c.json({ user: c.get('user'), csrfToken: c.get('csrfToken') }));

  app.post('/logout', requireStaff(deps), async (c) => {
    await endSession(c, deps, c.get('user').id, now());
    return c.body(null, 204);
  });

  return app;
}

/** Creates a staff account (used by the CLI). */
export async function createStaffUser(
  db: Database,
  input: { username: string; displayName: string; role: StaffRole; unit?: string | undefined; password: string },
  at = new Date(),
): Promise<StaffUser> {
  if (input.password.length < 12) throw new Error('密码至少 12 个字符');
  if (input.role === 'handler' && !input.unit) throw new Error('经办人账号必须指定所属单位（--unit）');
  const id = crypto.randomUUID();
  const row = { id, username: input.username, displayName: input.displayName, role: input.role, unit: input.unit ?? null, passwordHash: await hashPassword(input.password), createdAt: at.toISOString() };
  await db.insert(staffUsers).values(row);
  await audit(db, at, 'cli', 'create_staff_user', id, `${input.username}（${input.role}）`);
  return publicUser({ ...row, failedLogins: 0, lockedUntil: null, disabled: false });
}
