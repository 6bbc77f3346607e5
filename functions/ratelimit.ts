/**
 * Rate limits kept in the database (fixed windows), so they hold across
 * processes and restarts, and across Worker isolates in production.
 */
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from './db.ts';
import { rateLimits } from '../db/schema.ts';
import { limitSubject } from './client/ip.ts';
import { saltedHash } from './crypto.ts';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowSeconds: number;
}

export type LimitedAction = 'intake' | 'intakeRefused' | 'lookup' | 'dispute' | 'objection' | 'errorReport' | 'search' | 'open311' | 'open311-partner' | 'subscribe' | 'subscribe-address';
/**
 * Per-client limits in production; `limits` in the app's dependencies overrides them (tests,
 * BENCH_RATE_LIMIT_MAX in functions/runtime/node.ts). A client is an IPv4 address or an IPv6 /64 (clientOf).
 */
export const DEFAULT_LIMITS: Readonly<Record<LimitedAction, Limit>> = {
  // Complaints accepted (JSON API, the form, Open311) …
  intake: { max: 10, windowSeconds: 600 },
  // … and intake requests refused (invalid, failed CAPTCHA), on their own larger budget, so that
  // typing mistakes do not use up the intake budget while guessing at a CAPTCHA still stops.
  intakeRefused: { max: 30, windowSeconds: 600 },
  lookup: { max: 120, windowSeconds: 600 },
  dispute: { max: 10, windowSeconds: 600 },
  objection: { max: 10, windowSeconds: 600 },
  // Reports of a data error: a reader may find several on one visit, a flood is not a reader.
  errorReport: { max: 10, windowSeconds: 600 },
  // A reader pages and narrows a search often; a scraper should use the downloads.
  search: { max: 600, windowSeconds: 600 },
  // Open311 reads (GET) by clients without a key; keyed partners get their own limits.
  open311: { max: 120, windowSeconds: 600 },
  // Open311 reads with a valid api_key: one bucket per key, as a partner's server reads for many people.
  'open311-partner': { max: 1200, windowSeconds: 600 },
  // Subscription requests (the API and the /follow/ form), every request counted: each may mail a stranger.
  subscribe: { max: 10, windowSeconds: 600 },
  // Confirmation mails to one address (by its keyed hash), whoever asks: past this, asking again
  // is answered as usual but mails nothing, so nobody can flood an inbox from many clients.
  'subscribe-address': { max: 5, windowSeconds: 86_400 },
};

/**
 * A client as the limits count it: `client`, the salted hash of its full address (stored with
 * what it submits), and `bucket`, the hash its requests are counted under (an IPv6 /64 is one).
 */
export async function clientOf(salt: string, address: string): Promise<{ client: string; bucket: string }> {
  const client = await saltedHash(salt, address);
  const subject = limitSubject(address);
  return { client, bucket: subject === address ? client : await saltedHash(salt, subject) };
}

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the window resets; for Retry-After. */
  retryAfter: number;
  /** The window this request was counted in (for `release`). */
  windowStart: number;
}

/** The counting statement, prepared once per database: it runs on every limited request. */
const counters = new WeakMap<Database, ReturnType<typeof prepareCounter>>();
function prepareCounter(db: Database) {
  return db
    .insert(rateLimits)
    .values({ key: sql.placeholder('key'), windowStart: sql.placeholder('windowStart'), count: 1 })
    .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count })
    .prepare();
}

/** Counts one request for `key` and says whether it is within the limit. */
export async function hit(db: Database, key: string, limit: Limit, nowMs = Date.now()): Promise<LimitResult> {
  const now = Math.floor(nowMs / 1000);
  const windowStart = now - (now % limit.windowSeconds);
  let counter = counters.get(db);
  if (!counter) counters.set(db, (counter = prepareCounter(db)));
  const [row] = await counter.all({ key, windowStart });
  // Old windows are cleared now and then rather than on every request.
  if (Math.random() < 0.01) await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - 86_400));
  return { allowed: row!.count <= limit.max, retryAfter: windowStart + limit.windowSeconds - now, windowStart };
}

/** The statement taking a request back, prepared once per database: intake runs it on every request. */
const releasers = new WeakMap<Database, ReturnType<typeof prepareReleaser>>();
function prepareReleaser(db: Database) {
  return db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, sql.placeholder('key')), eq(rateLimits.windowStart, sql.placeholder('windowStart')), gt(rateLimits.count, 0)))
    .prepare();
}

/** Takes back one request counted by `hit` in the window it was counted in. */
export async function release(db: Database, key: string, windowStart: number): Promise<void> {
  let releaser = releasers.get(db);
  if (!releaser) releasers.set(db, (releaser = prepareReleaser(db)));
  await releaser.run({ key, windowStart });
}
