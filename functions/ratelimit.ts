/**
 * Rate limits kept in the database (fixed windows), so they hold across
 * processes and restarts, and across Worker isolates in production.
 */
import { lt, sql } from 'drizzle-orm';
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
}

/** Counts one request for `key` and says whether it is within the limit. */
export async function hit(db: Database, key: string, limit: Limit, nowMs = Date.now()): Promise<LimitResult> {
  const now = Math.floor(nowMs / 1000);
  const windowStart = now - (now % limit.windowSeconds);
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count });
  // Old windows are cleared now and then rather than on every request.
  if (Math.random() < 0.01) await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - 86_400));
  return { allowed: row!.count <= limit.max, retryAfter: windowStart + limit.windowSeconds - now };
}
