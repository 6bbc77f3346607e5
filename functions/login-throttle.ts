/**
 * Login throttling, kept in the database (`login_throttle`) so it holds across
 * processes and Worker isolates. Two counters gate every attempt:
 *
 * - **per client** (salted hash of the address): 5 failures are free, then each
 *   failure doubles the wait before the next attempt from that client is
 *   checked, from 1 second up to 15 minutes; attempts during the wait get 429.
 * - **per account** (the normalised username, whether or not an account has
 *   it, so the throttle says nothing about which accounts exist): 10 free,
 *   then 1 second doubling up to 5 minutes; attempts during the wait are
 *   refused unchecked, with the same answer as a wrong password.
 *
 * The client limit is the stricter one, so a single address cannot hold an
 * account throttled, and the account's cap bounds what many addresses can do
 * to its owner. A client that has signed in to an account before is exempt from
 * that account's throttle (never from its own), so strangers' failures do not
 * keep the owner out at all from where they usually sign in.
 *
 * An attempt is counted as a failure *before* its password is checked (and
 * given back if it succeeds): a burst of parallel attempts cannot all slip
 * past the counter while the first ones are still being checked.
 */
import { and, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { loginKnownClients, loginThrottle } from '../db/schema.ts';
import { saltedHash } from './crypto.ts';
import type { Database } from './db.ts';

export interface ThrottleRule {
  /** Failures allowed before any wait. */
  free: number;
  /** Wait after the `free`-th failure; doubles with each further failure. */
  baseMs: number;
  /** Longest wait. */
  capMs: number;
}

export const CLIENT_RULE: ThrottleRule = { free: 5, baseMs: 1000, capMs: 15 * 60_000 };
export const ACCOUNT_RULE: ThrottleRule = { free: 10, baseMs: 1000, capMs: 5 * 60_000 };
/** A counter starts over after this long without a failure. */
export const FORGET_AFTER_MS = 24 * 3600_000;
/** A client counts as known to an account for this long after its last sign-in there. */
export const KNOWN_CLIENT_MS = 90 * 24 * 3600_000;

/** The wait (ms) after `failures` failures under `rule`. */
export function delayAfter(rule: ThrottleRule, failures: number): number {
  return failures < rule.free ? 0 : Math.min(rule.capMs, rule.baseMs * 2 ** (failures - rule.free));
}

/** delayAfter in SQL, for the counting statement to set the wait in the same write. */
function delaySql(rule: ThrottleRule, failures: SQL): SQL {
  return sql`(CASE WHEN ${failures} < ${rule.free} THEN 0 ELSE min(${rule.capMs}, ${rule.baseMs} * (1 << min(${failures} - ${rule.free}, 30))) END)`;
}

/** Usernames that look alike share a counter: case, width and surrounding spaces do not matter. */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

/**
 * The account counter's key. Hashed so the table does not keep what people typed as usernames;
 * with a fixed salt, so the CLI can find it without the server's secrets.
 */
export async function accountKeyOf(username: string): Promise<string> {
  return `account:${await saltedHash('login-account', normaliseUsername(username))}`;
}

const clientKeyOf = (client: string) => `client:${client}`;

/**
 * Counts one attempt for `key` unless it is inside its wait. Returns false when it is: the
 * attempt must then be refused unchecked, and does not lengthen the wait.
 */
async function admit(db: Database, key: string, rule: ThrottleRule, nowMs: number): Promise<boolean> {
  const failures = sql`(CASE WHEN ${loginThrottle.lastFailureAt} <= ${nowMs - FORGET_AFTER_MS} THEN 1 ELSE ${loginThrottle.failures} + 1 END)`;
  const rows = await db
    .insert(loginThrottle)
    .values({ key, failures: 1, lastFailureAt: nowMs, blockedUntil: nowMs + delayAfter(rule, 1) })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: { failures, lastFailureAt: nowMs, blockedUntil: sql`${nowMs} + ${delaySql(rule, failures)}` },
      setWhere: sql`${loginThrottle.blockedUntil} <= ${nowMs}`,
    })
    .returning({ failures: loginThrottle.failures });
  return rows.length > 0;
}

export interface Admission {
  /** Set when the client itself must wait: answer 429 with this many seconds, check nothing. */
  clientRetryAfter?: number;
  /** The account's counter is inside its wait (and this client is not exempt): refuse unchecked. */
  accountThrottled: boolean;
  /** This client has signed in to this account before: the account's throttle does not apply to it. */
  known: boolean;
}

/** Counts a login attempt on both counters (the account's only if the client's admits it). */
export async function admitLogin(db: Database, accountKey: string, client: string, nowMs: number): Promise<Admission> {
  // Old rows are cleared now and then rather than on every attempt.
  if (Math.random() < 0.01) await sweep(db, nowMs);
  const clientKey = clientKeyOf(client);
  if (!(await admit(db, clientKey, CLIENT_RULE, nowMs))) {
    const row = await db.query.loginThrottle.findFirst({ where: eq(loginThrottle.key, clientKey) });
    return { clientRetryAfter: Math.max(1, Math.ceil(((row?.blockedUntil ?? nowMs) - nowMs) / 1000)), accountThrottled: false, known: false };
  }
  const known = !!(await db.query.loginKnownClients.findFirst({
    where: and(eq(loginKnownClients.accountKey, accountKey), eq(loginKnownClients.clientHash, client), gt(loginKnownClients.lastLoginAt, new Date(nowMs - KNOWN_CLIENT_MS).toISOString())),
  }));
  const accountThrottled = known ? false : !(await admit(db, accountKey, ACCOUNT_RULE, nowMs));
  return { accountThrottled, known };
}

/**
 * Seconds until this client's next attempt on this account will be checked (0: now), for
 * Retry-After on a refusal. The same for every account name given the same attempts.
 */
export async function waitAfter(db: Database, accountKey: string, client: string, known: boolean, nowMs: number): Promise<number> {
  const keys = known ? [clientKeyOf(client)] : [clientKeyOf(client), accountKey];
  const rows = await db.select({ blockedUntil: loginThrottle.blockedUntil }).from(loginThrottle).where(inArray(loginThrottle.key, keys));
  return Math.max(0, ...rows.map((r) => Math.ceil((r.blockedUntil - nowMs) / 1000)));
}

/**
 * After a successful login: the client's counter gets back the failure counted in advance, the
 * account's starts over, and the client becomes known to the account.
 */
export async function loginSucceeded(db: Database, accountKey: string, client: string, at: Date) {
  const nowMs = at.getTime();
  const previous = sql`max(${loginThrottle.failures} - 1, 0)`;
  await db.batch([
    db
      .update(loginThrottle)
      .set({ failures: previous, blockedUntil: sql`min(${loginThrottle.blockedUntil}, ${nowMs} + ${delaySql(CLIENT_RULE, previous)})` })
      .where(eq(loginThrottle.key, clientKeyOf(client))),
    db.delete(loginThrottle).where(eq(loginThrottle.key, accountKey)),
    db
      .insert(loginKnownClients)
      .values({ accountKey, clientHash: client, lastLoginAt: at.toISOString() })
      .onConflictDoUpdate({ target: [loginKnownClients.accountKey, loginKnownClients.clientHash], set: { lastLoginAt: at.toISOString() } }),
  ]);
}

/** Clears an account's counter (CLI `unlock`); true if there was one. */
export async function clearAccountThrottle(db: Database, username: string): Promise<boolean> {
  const rows = await db.delete(loginThrottle).where(eq(loginThrottle.key, await accountKeyOf(username))).returning({ key: loginThrottle.key });
  return rows.length > 0;
}

/** The account counter's current wait in seconds (0: none), for the CLI's list. */
export async function accountWait(db: Database, username: string, nowMs = Date.now()): Promise<number> {
  const row = await db.query.loginThrottle.findFirst({ where: eq(loginThrottle.key, await accountKeyOf(username)) });
  return row ? Math.max(0, Math.ceil((row.blockedUntil - nowMs) / 1000)) : 0;
}

/** Deletes counters that have been forgotten anyway, and known clients that no longer count. */
export async function sweep(db: Database, nowMs: number) {
  await db.batch([
    db.delete(loginThrottle).where(and(lt(loginThrottle.lastFailureAt, nowMs - FORGET_AFTER_MS), lt(loginThrottle.blockedUntil, nowMs))),
    db.delete(loginKnownClients).where(lt(loginKnownClients.lastLoginAt, new Date(nowMs - KNOWN_CLIENT_MS).toISOString())),
  ]);
}
