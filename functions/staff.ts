/**
 * Staff authentication: password login throttled per client and per account
 * (functions/login-throttle.ts), a session cookie (HttpOnly, SameSite=Strict;
 * `__Host-` prefixed and Secure in production) that ends after 8 hours or 30
 * minutes unused, CSRF tokens for every state-changing request, logout, and an
 * audit entry for each of these.
 *
 * POST /api/staff/login   { username, password } → 200 { user, csrfToken } and the session cookie
 * POST /api/staff/logout  (session + X-CSRF-Token) → 204
 * GET  /api/staff/me      (session) → { user, csrfToken }
 */
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { auditLog, staffSessions, staffUsers } from '../db/schema.ts';
import { hashPassword, randomToken, saltedHash, verifyPassword } from './crypto.ts';
import type { Database } from './db.ts';
import { apiError, jsonBody } from './errors.ts';
import { accountKeyOf, admitLogin, loginSucceeded, waitAfter } from './login-throttle.ts';

/** The session cookie's name in development (plain HTTP, where `__Host-` cookies cannot be set). */
export const SESSION_COOKIE = 'portal_session';
/**
 * In production: a `__Host-` cookie can only be set by this host over HTTPS, with Path=/ and
 * no Domain, so a neighbouring subdomain cannot plant a session cookie here (session fixation).
 */
export const HOST_SESSION_COOKIE = '__Host-portal_session';
export const SESSION_HOURS = 8;
/** A session unused for this long ends, whatever is left of its 8 hours. */
export const SESSION_IDLE_MINUTES = 30;
/** last_seen_at is written at most this often, to spare a write on every request. */
const LAST_SEEN_EVERY_MS = 60_000;

export const sessionCookieName = (production: boolean) => (production ? HOST_SESSION_COOKIE : SESSION_COOKIE);

export type { StaffRole } from '../src/domain/complaint-handling.ts';
import type { StaffRole } from '../src/domain/complaint-handling.ts';
import { fieldErrors } from '../src/domain/field-errors.ts';
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
  /** Production names the cookie `__Host-portal_session` and sets its Secure flag. */
  production: boolean;
  now?: () => Date;
  /** The client's network address as this runtime knows it; only ever used hashed (login throttle, audit). */
  clientAddress: (c: Context) => string;
  /** Salt of that hash (the same as for complaints, so one client has one pseudonym). */
  clientSalt: string;
}

/** Records one staff action. Callers pass no personal data of reporters in `detail`. */
export async function audit(db: Database, at: Date, actor: string, action: string, target?: string, detail?: string, clientHash?: string) {
  await db.insert(auditLog).values(auditEntry(at, actor, action, target, detail, clientHash));
}

/** An audit row, for writing in the same batch as what it records. */
export function auditEntry(at: Date, actor: string, action: string, target?: string, detail?: string, clientHash?: string): typeof auditLog.$inferInsert {
  return { at: at.toISOString(), actor, action, target: target ?? null, detail: detail ?? null, clientHash: clientHash ?? null };
}

/** The salted hash of the request's client address: how logins are throttled and audited. */
export function clientHashOf(c: Context, deps: Pick<StaffDeps, 'clientAddress' | 'clientSalt'>): Promise<string> {
  return saltedHash(deps.clientSalt, deps.clientAddress(c));
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

/** The session token from the request's cookie (only the cookie of this mode's name counts). */
export const sessionToken = (c: Context, deps: Pick<StaffDeps, 'production'>) => getCookie(c, sessionCookieName(deps.production));

/**
 * The signed-in user and the session's CSRF token, from the session cookie; undefined if none
 * is valid. A session unused for SESSION_IDLE_MINUTES is deleted here; one past its 8 hours is
 * only refused (expired rows are cleared at the next login).
 */
export async function sessionOf(c: Context, deps: Pick<StaffDeps, 'db' | 'production' | 'now'>): Promise<{ user: StaffUser; csrfToken: string } | undefined> {
  const token = sessionToken(c, deps);
  if (!token || token.length > 200) return undefined;
  const tokenHash = await saltedHash('session', token);
  const at = (deps.now ?? (() => new Date()))();
  const row = await deps.db
    .select({ user: staffUsers, csrfToken: staffSessions.csrfToken, createdAt: staffSessions.createdAt, lastSeenAt: staffSessions.lastSeenAt })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffSessions.userId, staffUsers.id))
    .where(and(eq(staffSessions.tokenHash, tokenHash), gt(staffSessions.expiresAt, at.toISOString())))
    .get();
  if (!row) return undefined;
  const idleMs = at.getTime() - Date.parse(row.lastSeenAt ?? row.createdAt);
  if (idleMs > SESSION_IDLE_MINUTES * 60_000) {
    await deps.db.delete(staffSessions).where(eq(staffSessions.tokenHash, tokenHash));
    return undefined;
  }
  if (row.user.disabled) return undefined;
  if (idleMs >= LAST_SEEN_EVERY_MS) {
    const stale = new Date(at.getTime() - LAST_SEEN_EVERY_MS).toISOString();
    await deps.db
      .update(staffSessions)
      .set({ lastSeenAt: at.toISOString() })
      .where(and(eq(staffSessions.tokenHash, tokenHash), or(isNull(staffSessions.lastSeenAt), lt(staffSessions.lastSeenAt, stale))));
  }
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
    if (!session) return apiError(c, 401, 'unauthenticated', sessionToken(c, deps) ? '登录已失效，请重新登录。' : '请先登录。');
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
  | { ok: false; status: 401 | 429; code: string; message: string; retryAfter?: number | undefined };

/**
 * The one answer to every refused login that names an account: unknown, disabled, throttled or
 * a wrong password all read the same, so the answer tells nothing about the account.
 */
export const LOGIN_REFUSED = { ok: false, status: 401, code: 'invalid_credentials', message: '用户名或密码错误。如已连续多次失败，请稍候再试。' } as const;

const FAILURE_DETAIL = { unknown: '用户名不存在', disabled: '账号已停用', wrong: '密码错误', throttled: '该账号登录尝试过于频繁，未核对密码' } as const;

/**
 * Checks a username and password under the login throttle and opens a session. `client` is the
 * salted hash of the client's address. Every checked attempt is audited with it.
 */
export async function attemptLogin(db: Database, username: string, password: string, { at, client }: { at: Date; client: string }): Promise<LoginResult> {
  const accountKey = await accountKeyOf(username);
  const gate = await admitLogin(db, accountKey, client, at.getTime());
  if (gate.clientRetryAfter !== undefined) {
    // About this client only, whatever account it names: checked before anything else, and cheap.
    return { ok: false, status: 429, code: 'rate_limited', message: `登录尝试过于频繁，请在 ${gate.clientRetryAfter} 秒后再试。`, retryAfter: gate.clientRetryAfter };
  }
  const dummy = await DUMMY_HASH();
  const user = await db.query.staffUsers.findFirst({ where: eq(staffUsers.username, username) });
  // Exactly one PBKDF2 verification on every path, so no kind of refusal answers sooner than a wrong password.
  const matches = await verifyPassword(password, user?.passwordHash ?? dummy);
  const failure = gate.accountThrottled ? 'throttled' : !user ? 'unknown' : user.disabled ? 'disabled' : !matches ? 'wrong' : undefined;
  if (failure) {
    await audit(db, at, user?.id ?? 'anonymous', failure === 'throttled' ? 'login_throttled' : 'login_failed', user?.id, FAILURE_DETAIL[failure], client);
    const wait = await waitAfter(db, accountKey, client, gate.known, at.getTime());
    return { ...LOGIN_REFUSED, retryAfter: wait || undefined };
  }
  const found = user!;
  const token = randomToken();
  const csrfToken = randomToken();
  const expires = new Date(at.getTime() + SESSION_HOURS * 3600_000);
  await loginSucceeded(db, accountKey, client, at);
  await db.batch([
    db.insert(staffSessions).values({ tokenHash: await saltedHash('session', token), userId: found.id, csrfToken, createdAt: at.toISOString(), expiresAt: expires.toISOString(), lastSeenAt: at.toISOString() }),
    // Sessions past their 8 hours are refused when used but cleared only here.
    db.delete(staffSessions).where(lt(staffSessions.expiresAt, at.toISOString())),
    db.insert(auditLog).values(auditEntry(at, found.id, 'login', found.id, undefined, client)),
  ]);
  return { ok: true, user: publicUser(found), token, csrfToken, expires };
}

export function setSessionCookie(c: Context, deps: Pick<StaffDeps, 'production'>, token: string, expires: Date) {
  setCookie(c, sessionCookieName(deps.production), token, { httpOnly: true, sameSite: 'Strict', secure: deps.production, path: '/', expires });
}

export function clearSessionCookie(c: Context, deps: Pick<StaffDeps, 'production'>) {
  deleteCookie(c, sessionCookieName(deps.production), { path: '/', secure: deps.production, sameSite: 'Strict' });
}

/** Deletes the session behind the cookie and the cookie itself. */
export async function endSession(c: Context, deps: Pick<StaffDeps, 'db' | 'production'>, userId: string, at: Date) {
  const token = sessionToken(c, deps);
  if (token) await deps.db.delete(staffSessions).where(eq(staffSessions.tokenHash, await saltedHash('session', token)));
  await audit(deps.db, at, userId, 'logout', userId);
  clearSessionCookie(c, deps);
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
    const read = await jsonBody(c);
    if ('refused' in read) return read.refused;
    const parsed = loginBody.safeParse(read.body);
    if (!parsed.success) {
      // A body that is not an object has no field to name: its issue is keyed '_'.
      return apiError(c, 422, 'validation_failed', '请填写用户名和密码。', fieldErrors(parsed.error, { key: 'field' }));
    }
    const result = await attemptLogin(db, parsed.data.username, parsed.data.password, { at: now(), client: await clientHashOf(c, deps) });
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

/** Refuses a password too short to set (or too long to ever be accepted by the login). */
export function checkNewPassword(password: string) {
  if ([...password].length < 12) throw new Error('密码至少 12 个字符');
  if (password.length > 256) throw new Error('密码不能超过 256 个字符');
}

/** Creates a staff account (used by the CLI). */
export async function createStaffUser(
  db: Database,
  input: { username: string; displayName: string; role: StaffRole; unit?: string | undefined; password: string },
  at = new Date(),
): Promise<StaffUser> {
  checkNewPassword(input.password);
  if (input.role === 'handler' && !input.unit) throw new Error('经办人账号必须指定所属单位（--unit）');
  const id = crypto.randomUUID();
  const row = { id, username: input.username, displayName: input.displayName, role: input.role, unit: input.unit ?? null, passwordHash: await hashPassword(input.password), createdAt: at.toISOString() };
  await db.insert(staffUsers).values(row);
  await audit(db, at, 'cli', 'create_staff_user', id, `${input.username}（${input.role}）`);
  return publicUser({ ...row, failedLogins: 0, lockedUntil: null, disabled: false, emailCiphertext: null });
}
