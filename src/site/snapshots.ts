/**
 * Dated, verifiable snapshots of the open data (/data/snapshots/<YYYY-MM-DD>/).
 *
 * Each publication keeps a copy of every open-data file under its date with a
 * manifest.json listing each file's SHA-256 and size, the date, and
 * `previous`: the SHA-256 of the previous snapshot's manifest.json bytes. The
 * manifests form a hash chain, so a past file cannot be changed, nor a past
 * snapshot removed or re-dated, without breaking every later link. Earlier
 * snapshots are carried forward byte for byte from a kept folder
 * (SNAPSHOTS_DIR, default .data/snapshots, or pulled from the deployed site),
 * never regenerated. A snapshot for a date is written once: a later build on
 * the same day keeps the one already published.
 *
 * Framework-free: used by the Astro routes, scripts/snapshots.ts and
 * scripts/verify-snapshots.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Portal } from '../content/portal.ts';
import { formatDateZh } from '../domain/dates.ts';
import { csvBytes, jsonBytes, TABLES, tableJsonBytes } from './opendata.ts';
import { HISTORY_FORMAT, type SnapshotHistory, type Version } from './snapshot-compare.ts';

export const MANIFEST = 'manifest.json';
export const INDEX = 'index.json';
export const FORMAT = 'ducha-snapshot/1';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(csv|json)$/;

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: typeof FORMAT;
  /** The snapshot's date: the as-of date of the build that published it. */
  date: string;
  /** SHA-256 (hex) of the previous snapshot's manifest.json bytes; null for the first. */
  previous: string | null;
  /** The previous snapshot's date, for reading (the hash is what binds). */
  previousDate: string | null;
  files: ManifestFile[];
}

/** A snapshot as its manifest describes it (the files themselves not read). */
export interface SnapshotHead {
  date: string;
  manifest: Manifest;
  /** The exact bytes of manifest.json. */
  manifestBytes: Buffer;
  /** SHA-256 of manifestBytes: what the next snapshot's `previous` holds. */
  sha256: string;
}

export interface Snapshot extends SnapshotHead {
  files: Map<string, Buffer>;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The open-data files of a build, by name: every table as CSV and JSON, and portal.json. */
export function openDataFiles(portal: Portal): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const t of TABLES) {
    files.set(`${t.name}.csv`, csvBytes(t, portal));
    files.set(`${t.name}.json`, tableJsonBytes(t, portal));
  }
  files.set('portal.json', portalJson(portal));
  return files;
}

/** /data/portal.json: all validated content as published, with the as-of date (written a record at a time). */
export function portalJson(portal: Portal): Buffer {
  const split = portalJsonParts(portal);
  return split ? jsonBytes(split.head, split.lists) : Buffer.from(JSON.stringify({ asOf: portal.asOf, ...portal.content }, null, 1));
}

/**
 * portal.json as jsonBytes writes it: the plain values (the as-of date first) and the lists of
 * records. Undefined where the content's key order puts a plain value after a list (jsonBytes
 * writes lists last): the file is then one JSON.stringify.
 */
export function portalJsonParts(portal: Pick<Portal, 'asOf' | 'content'>): { head: Record<string, unknown>; lists: Record<string, readonly unknown[]> } | undefined {
  const head: Record<string, unknown> = { asOf: portal.asOf };
  const lists: Record<string, readonly unknown[]> = {};
  // Key order as `{ asOf, ...content }` gives it: lists are written after the plain values only if they come after them.
  const entries = Object.entries(portal.content);
  const firstList = entries.findIndex(([, v]) => Array.isArray(v));
  if (entries.slice(firstList).some(([, v]) => !Array.isArray(v))) return undefined;
  for (const [k, v] of entries) {
    if (Array.isArray(v)) lists[k] = v;
    else head[k] = v;
  }
  return { head, lists };
}

export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
}

/** A new snapshot's head: files with their SHA-256 and size, dated `date`, chained to `previous`. */
export function makeSnapshotHead(date: string, files: Iterable<readonly [string, { sha256: string; bytes: number }]>, previous: SnapshotHead | undefined): SnapshotHead {
  if (!DATE.test(date)) throw new Error(`快照日期应为 YYYY-MM-DD：${date}`);
  const manifest: Manifest = {
    format: FORMAT,
    date,
    previous: previous?.sha256 ?? null,
    previousDate: previous?.date ?? null,
    files: [...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, f]) => ({ name, sha256: f.sha256, bytes: f.bytes })),
  };
  const bytes = manifestBytes(manifest);
  return { date, manifest, manifestBytes: bytes, sha256: sha256(bytes) };
}

/** A new snapshot of `files` dated `date`, chained to `previous`. */
export function makeSnapshot(date: string, files: Map<string, Buffer>, previous: SnapshotHead | undefined): Snapshot {
  const head = makeSnapshotHead(date, [...files].map(([name, data]) => [name, { sha256: sha256(data), bytes: data.length }] as const), previous);
  return { ...head, files };
}

/** The heads of the snapshots kept in a folder (`<dir>/<YYYY-MM-DD>/manifest.json`), oldest first: manifests only. */
export function readSnapshotHeads(dir: string): SnapshotHead[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => DATE.test(d) && existsSync(join(dir, d, MANIFEST)))
    .sort()
    .map((date) => {
      const bytes = readFileSync(join(dir, date, MANIFEST));
      return { date, manifest: JSON.parse(bytes.toString('utf8')) as Manifest, manifestBytes: bytes, sha256: sha256(bytes) };
    });
}

/** The files a snapshot's manifest lists whose names are allowed (what a kept folder carries forward). */
export const listedFiles = (manifest: Manifest) => manifest.files.filter((f) => FILE_NAME.test(f.name));

/** Reads the snapshots kept in a folder (`<dir>/<YYYY-MM-DD>/manifest.json` and its files), oldest first. */
export function readSnapshotDir(dir: string): Snapshot[] {
  return readSnapshotHeads(dir).map((h) => ({ ...h, files: new Map(listedFiles(h.manifest).map((f) => [f.name, readFileSync(join(dir, h.date, f.name))] as const)) }));
}

/** Where to read a published copy of the snapshots from: a folder (dist/, a download) or a site URL. */
export interface SnapshotSource {
  describe: string;
  /** The bytes at a path below /data/snapshots/, or undefined when there is none. */
  read(path: string): Promise<Buffer | undefined>;
  /** Snapshot folders present, where the source can list them (a folder can, a URL cannot). */
  list?(): Promise<string[]>;
}

export function dirSource(siteDir: string): SnapshotSource {
  const base = join(siteDir, 'data', 'snapshots');
  return {
    describe: base,
    read: async (path) => (existsSync(join(base, path)) ? readFileSync(join(base, path)) : undefined),
    list: async () => (existsSync(base) ? readdirSync(base).filter((d) => DATE.test(d)) : []),
  };
}

export function urlSource(siteUrl: string): SnapshotSource {
  const base = `${siteUrl.replace(/\/+$/, '')}/data/snapshots/`;
  return {
    describe: base,
    read: async (path) => {
      const res = await fetch(base + path);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`${base + path}：HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
}

export interface IndexEntry {
  date: string;
  manifest: string;
  sha256: string;
  previous: string | null;
  files: number;
}

export function indexBytes(snapshots: readonly Pick<SnapshotHead, 'date' | 'sha256' | 'manifest'>[]): Buffer {
  const entries: IndexEntry[] = snapshots.map((s) => ({ date: s.date, manifest: `${s.date}/${MANIFEST}`, sha256: s.sha256, previous: s.manifest.previous, files: s.manifest.files.length }));
  return Buffer.from(`${JSON.stringify({ format: FORMAT, snapshots: entries }, null, 1)}\n`);
}

export interface Verification {
  problems: string[];
  /** Snapshots read and checked, oldest first. */
  snapshots: Snapshot[];
}

/**
 * Checks the chain and every hash: each manifest's `previous` is the SHA-256
 * of the previous manifest's bytes (null for the first), dates increase, each
 * file has the size and SHA-256 its manifest lists, the index agrees with the
 * manifests, and (where the source can list) no snapshot folder is left out.
 */
export async function verifySnapshots(source: SnapshotSource, options: { keepFiles?: boolean } = {}): Promise<Verification> {
  // keepFiles: false — each file is read, checked and let go (a snapshot at 50,000 items is ≈ 600 MB): `files` stays empty.
  const keepFiles = options.keepFiles ?? true;
  const problems: string[] = [];
  const snapshots: Snapshot[] = [];
  const indexRaw = await source.read(INDEX);
  if (!indexRaw) return { problems: [`没有找到快照索引 ${INDEX}（${source.describe}）`], snapshots };
  let index: IndexEntry[];
  try {
    index = (JSON.parse(indexRaw.toString('utf8')) as { snapshots: IndexEntry[] }).snapshots;
    if (!Array.isArray(index)) throw new Error('snapshots 不是列表');
  } catch (error) {
    return { problems: [`快照索引无法读取：${(error as Error).message}`], snapshots };
  }
  const dates = index.map((e) => e.date);
  if (source.list) {
    for (const d of await source.list()) if (!dates.includes(d)) problems.push(`${d}：快照目录不在索引中`);
  }
  let previous: Snapshot | undefined;
  for (const entry of index) {
    const where = entry.date;
    if (!DATE.test(entry.date)) {
      problems.push(`${where}：日期格式不对`);
      continue;
    }
    const bytes = await source.read(`${entry.date}/${MANIFEST}`);
    if (!bytes) {
      problems.push(`${where}：缺少 ${MANIFEST}`);
      previous = undefined;
      continue;
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    } catch {
      problems.push(`${where}：${MANIFEST} 不是有效的 JSON`);
      continue;
    }
    const hash = sha256(bytes);
    if (manifest.date !== entry.date) problems.push(`${where}：清单中的日期是 ${manifest.date}`);
    if (entry.sha256 !== hash) problems.push(`${where}：索引记录的清单哈希与清单不符`);
    if (previous && previous.date >= entry.date) problems.push(`${where}：日期不晚于上一快照 ${previous.date}`);
    const expected = previous?.sha256 ?? null;
    if (manifest.previous !== expected) {
      problems.push(`${where}：previous 应为 ${expected ?? 'null'}（上一快照清单的 SHA-256），实为 ${manifest.previous ?? 'null'}——哈希链断裂`);
    }
    const files = new Map<string, Buffer>();
    for (const f of manifest.files ?? []) {
      if (!FILE_NAME.test(f.name)) {
        problems.push(`${where}：文件名不合规：${f.name}`);
        continue;
      }
      const data = await source.read(`${entry.date}/${f.name}`);
      if (!data) {
        problems.push(`${where}/${f.name}：文件缺失`);
        continue;
      }
      if (keepFiles) files.set(f.name, data);
      if (data.length !== f.bytes) problems.push(`${where}/${f.name}：大小 ${data.length} 字节，清单记为 ${f.bytes}`);
      if (sha256(data) !== f.sha256) problems.push(`${where}/${f.name}：SHA-256 与清单不符`);
    }
    const snapshot: Snapshot = { date: entry.date, manifest, manifestBytes: bytes, sha256: hash, files };
    snapshots.push(snapshot);
    previous = snapshot;
  }
  return { problems, snapshots };
}

export interface PublishedSnapshots<S extends SnapshotHead = Snapshot> {
  snapshots: S[];
  /** The snapshot this build adds, if any. */
  added?: S | undefined;
  /** Why no snapshot was added, when that needs saying. */
  note?: string | undefined;
}

/** The kept folder earlier snapshots are carried forward from (SNAPSHOTS_DIR, default .data/snapshots). */
export function snapshotsDir(env: Record<string, string | undefined> = process.env): string {
  return env.SNAPSHOTS_DIR || join('.data', 'snapshots');
}

/**
 * The snapshots a build publishes: the kept ones, carried forward as they
 * are, plus one for the build's date made from `current` — unless a snapshot
 * for that date (kept, immutable) or a later one exists.
 */
export function publishedSnapshots(kept: readonly Snapshot[], date: string, current: Map<string, Buffer>): PublishedSnapshots {
  return publishedAs(kept, date, (previous) => makeSnapshot(date, current, previous));
}

/** publishedSnapshots for snapshots known by their manifests: `make` makes the day's snapshot after `previous`. */
export function publishedAs<S extends SnapshotHead>(kept: readonly S[], date: string, make: (previous: S | undefined) => S): PublishedSnapshots<S> {
  const last = kept.at(-1);
  if (last && last.date > date) return { snapshots: [...kept], note: `已有晚于 ${date} 的快照（${last.date}），不补写较早的快照。` };
  if (last && last.date === date) {
    const same = make(kept.at(-2)).sha256 === last.sha256;
    return { snapshots: [...kept], note: same ? undefined : `${formatDateZh(date)}的快照已发布且不可改写；本次生成的数据与之不同，保留已发布的快照。` };
  }
  const added = make(last);
  return { snapshots: [...kept, added], added };
}

/** What changed between two snapshots, item by item: status, deadline, text; items added or removed. */
export interface SnapshotDiff {
  from: string;
  to: string;
  status: string[];
  deadline: string[];
  text: string[];
  added: string[];
  removed: string[];
}

export type Row = Record<string, unknown>;
const rowsIn = (data: Buffer | undefined): Row[] => {
  if (!data) return [];
  try {
    return (JSON.parse(data.toString('utf8')) as { rows: Row[] }).rows ?? [];
  } catch {
    return [];
  }
};

/**
 * What diffSnapshots compares for each item of a snapshot: its status (status and status date, as
 * one string), and the SHA-256 of its deadline (current and original due dates, each part's deadline
 * text) and of its text (the problem, each part's problem, target, measures and responsible units).
 * `row` keeps what names the item (its plan's title and its number in the items.json row).
 */
export interface ItemFacets {
  status: string;
  deadline: string;
  text: string;
  row: { plan_title: unknown; number: unknown };
}

/** Every item's facets, from a snapshot's items.json and parts.json. Small enough to keep: `row` holds only the naming fields. */
export function facetsOf(items: Buffer | undefined, parts: Buffer | undefined): Map<string, ItemFacets> {
  const byItem = new Map<string, Row[]>();
  for (const r of rowsIn(parts)) {
    const id = String(r.item_id);
    const list = byItem.get(id);
    if (list) list.push(r);
    else byItem.set(id, [r]);
  }
  const pick = (rows: Row[] | undefined, keys: string[]) => (rows ?? []).map((r) => keys.map((k) => r[k]));
  return new Map(
    rowsIn(items).map((r) => {
      const own = byItem.get(String(r.id));
      return [
        String(r.id),
        {
          status: JSON.stringify([r.status, r.status_date]),
          deadline: sha256(JSON.stringify([r.due_current, r.due_original, pick(own, ['deadline_text'])])),
          text: sha256(JSON.stringify([r.problem, pick(own, ['problem', 'target', 'measures', 'responsible_units'])])),
          row: { plan_title: r.plan_title, number: r.number },
        },
      ] as const;
    }),
  );
}

export const itemFacets = (s: Snapshot) => facetsOf(s.files.get('items.json'), s.files.get('parts.json'));

export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  return diffFacets(a.date, itemFacets(a), b.date, itemFacets(b));
}

/** diffSnapshots from the two snapshots' facets. */
export function diffFacets(from: string, ia: Map<string, ItemFacets>, to: string, ib: Map<string, ItemFacets>): SnapshotDiff {
  const diff: SnapshotDiff = { from, to, status: [], deadline: [], text: [], added: [], removed: [] };
  for (const id of ia.keys()) if (!ib.has(id)) diff.removed.push(id);
  for (const [id, fb] of ib) {
    const fa = ia.get(id);
    if (!fa) diff.added.push(id);
    else for (const aspect of ASPECTS) if (fa[aspect] !== fb[aspect]) diff[aspect].push(id);
  }
  return diff;
}

/** The aspects of an item a diff reports, in the order pages list them. */
export const ASPECTS = ['status', 'deadline', 'text'] as const;

/**
 * The history of every item across the snapshots (src/site/snapshot-compare.ts): a version each
 * time its status, deadline or text differs from the previous snapshot's, the deadline and text as
 * fingerprints (12 hex digits of their SHA-256), the status as it is. `name` names an item: its plan's
 * title (kept once per plan) and its number.
 */
export function historyOf(snapshots: readonly Snapshot[], name: (id: string, row: ItemFacets['row']) => { plan: string; number: string }): SnapshotHistory {
  return historyOfFacets(snapshots.map((s) => s.date), snapshots.map(itemFacets), name);
}

/** historyOf from each snapshot's date and facets, oldest first. */
export function historyOfFacets(dates: readonly string[], facetsList: readonly Map<string, ItemFacets>[], name: (id: string, row: ItemFacets['row']) => { plan: string; number: string }): SnapshotHistory {
  const items: SnapshotHistory['items'] = {};
  const plans: string[] = [];
  const planIndexes = new Map<string, number>();
  const planIndex = (title: string) => {
    let k = planIndexes.get(title);
    if (k === undefined) planIndexes.set(title, (k = plans.push(title) - 1));
    return k;
  };
  // 12 hex digits of the SHA-256 of the deadline and text (the facets hold the whole hash).
  const fingerprint = (hash: string) => hash.slice(0, 12);
  facetsList.forEach((facets, k) => {
    for (const [id, f] of facets) {
      const entry = (items[id] ??= { p: 0, n: '', v: [] });
      const { plan, number } = name(id, f.row);
      [entry.p, entry.n] = [planIndex(plan), number];
      const version: Version = [k, f.status, fingerprint(f.deadline), fingerprint(f.text)];
      const last = entry.v.at(-1);
      if (!last || JSON.stringify(last.slice(1)) !== JSON.stringify(version.slice(1))) entry.v.push(version);
    }
    for (const [id, entry] of Object.entries(items)) if (!facets.has(id) && entry.v.at(-1)?.length !== 1) entry.v.push([k]);
  });
  return { format: HISTORY_FORMAT, dates: [...dates], plans, items };
}
