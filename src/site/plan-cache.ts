/**
 * Results computed per plan and kept on disk between builds, beside the parse cache
 * (`.cache/content/`, or CONTENT_CACHE_DIR): a page over the whole country (the dashboard's progress
 * chart, `/regions/china/` and its items.csv) is then the sum or the concatenation of about a thousand
 * plans' parts, of which a one-item change computes one again.
 *
 * A plan's part is keyed by the plan's and its items' digests (src/site/page-keys.ts: the parse
 * cache's file digests), the as-of date, VERSION and the source of the code that could make it (every
 * module under src/content, src/domain, src/model and src/site, and package-lock.json): a change to
 * any of them computes every part again. CONTENT_CACHE=off keeps nothing.
 */
import { createHash } from 'node:crypto';
import { codeDigest } from './code-digest.ts';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Portal, PortalItem } from '../content/portal.ts';
import { CONTENT_DIR } from '../content/load.ts';
import { digestOf } from './page-keys.ts';

/** Raised when what a kept part holds changes shape. */
const VERSION = 1;

/** Consecutive items of one plan, and whether they are the whole plan (its items, in order). */
export interface PlanRun {
  planId: string;
  items: readonly PortalItem[];
  whole: boolean;
}

/** A list of items cut where the plan changes (lists are in plan order: a plan's items come together). */
export function planRunsOf(portal: Portal, items: readonly PortalItem[]): PlanRun[] {
  const out: PlanRun[] = [];
  for (let k = 0; k < items.length; ) {
    let end = k + 1;
    while (end < items.length && items[end]!.plan === items[k]!.plan) end += 1;
    const run = items.slice(k, end);
    const planId = items[k]!.plan.id;
    const all = portal.itemsBy.plan.get(planId);
    out.push({ planId, items: run, whole: !!all && all.length === run.length && all.every((i, j) => i === run[j]) });
    k = end;
  }
  return out;
}

interface Kept<T> {
  key: string;
  value: T;
}

const made = new WeakMap<Portal, Map<string, { values: Map<string, unknown>; computed: number }>>();

/**
 * `compute(items)` for every plan's items, once per process and `name`: taken from the file kept by
 * the previous build where the plan's key is unchanged; the file is written again when any was
 * computed or a plan is gone. Returns the values by plan id and how many were computed.
 */
export function keptPerPlan<T>(portal: Portal, name: string, compute: (items: readonly PortalItem[]) => T): { values: Map<string, T>; computed: number } {
  let byName = made.get(portal);
  if (!byName) made.set(portal, (byName = new Map()));
  const done = byName.get(name);
  if (done) return done as { values: Map<string, T>; computed: number };
  const code = process.env.CONTENT_CACHE === 'off' ? null : codeDigest();
  const digest = code && `${VERSION} ${code}`;
  const dir = process.env.CONTENT_CACHE_DIR || join(process.cwd(), '.cache', 'content');
  const file = join(dir, `${name}-${createHash('sha1').update(resolve(CONTENT_DIR)).digest('hex').slice(0, 24)}.v8`);
  let kept = new Map<string, Kept<T>>();
  if (digest !== null) {
    try {
      kept = deserialize(readFileSync(file)) as Map<string, Kept<T>>;
    } catch {
      // Nothing kept yet, or unreadable: every part is computed.
    }
  }
  const values = new Map<string, T>();
  const next = new Map<string, Kept<T>>();
  let computed = 0;
  for (const [planId, items] of portal.itemsBy.plan) {
    const key = createHash('sha256')
      .update(JSON.stringify([digest, portal.asOf, digestOf(portal.plan(planId)), items.map((i) => digestOf(i.item))]))
      .digest('base64url');
    const old = kept.get(planId);
    let value: T;
    if (old && old.key === key) value = old.value;
    else {
      value = compute(items);
      computed += 1;
    }
    values.set(planId, value);
    next.set(planId, { key, value });
  }
  if (digest !== null && (computed > 0 || next.size !== kept.size)) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, serialize(next));
      renameSync(tmp, file);
    } catch {
      // A read-only checkout: the next build computes them again.
    }
  }
  const result = { values, computed };
  byName.set(name, result);
  return result;
}
