/**
 * Rate limits kept in the database (fixed windows), so they hold across
 * processes and restarts, and across Worker isolates in production.
 */
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from './db.ts';
import { rateLimits } from '../db/schema.ts';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowSeconds: number;
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

/** Takes back one request counted by `hit` in the window it was counted in. */
export async function release(db: Database, key: string, windowStart: number): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart), gt(rateLimits.count, 0)));
}
