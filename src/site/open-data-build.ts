/**
 * The open-data files that print every item — `/data/<table>.csv|json`, `/data/portal.json` — and
 * the dated snapshots of them (`/data/snapshots/`), written outside Astro by their own build step
 * (scripts/open-data.ts), streamed to disk, from parts kept between builds.
 *
 * `prepareOpenData` (before `astro build`): every file is cut into parts — for the tables of items
 * (items, parts, statuses) one part per plan, for amendments one per plan, for portal.json's items
 * and plans one per plan, and one part for each list of records that are not items — each kept in
 * the cache folder under a key that hashes what its bytes come from: the code (OPEN_DATA_VERSION and
 * the digest of the modules that make the rows), the as-of date (tables only: portal.json's records
 * do not depend on it), the table and the digests of the records it prints (an item's digest covers
 * its record and its plan; the non-item parts the digest of every non-item record). A part whose key
 * is unchanged is not written again. The files are then joined from their parts (header once; JSON
 * lists' records with the commas between them; the same bytes as src/site/opendata.ts writes in one
 * go), each streamed to a temporary file, hashed on the way and renamed into place: never one string
 * or buffer of the corpus. A file whose parts are unchanged is not joined again. Last, the day's
 * snapshot manifest, the published snapshots (kept ones carried forward, src/site/snapshots.ts), the
 * changes between them and the history are worked out and saved as `published.json`, which the
 * `/data/` page reads (publishedOpenData: it prepares in-process when that file is missing or
 * stale, e.g. under `astro dev`).
 *
 * `writeOpenData` (after `astro build`): puts the files and every snapshot folder into the output
 * (`dist/client/data/`), hard-linked from the cache or the kept folder (copied where a link cannot
 * be made), each through a temporary name and a rename; removes snapshot files no longer published.
 *
 * The cache folder is OPEN_DATA_CACHE_DIR, else `.cache/open-data` (one per content folder, as
 * Astro's cache: scripts/astro-cache-dir.mjs).
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Portal } from '../content/portal.ts';
import { csvHeader, csvLines, JSON_LIST, jsonLayout, jsonRecord, TABLES, tableJsonHead, type Row, type Table } from './opendata.ts';
import { codeDigest } from './code-digest.ts';
import { digestOf, itemsDigest, referenceDigest } from './page-keys.ts';
import type { SnapshotHistory } from './snapshot-compare.ts';
import {
  diffFacets, facetsOf, historyOfFacets, indexBytes, listedFiles, makeSnapshotHead, MANIFEST, portalJsonParts, publishedAs, readSnapshotHeads, snapshotsDir,
  type ItemFacets, type Manifest, type SnapshotDiff, type SnapshotHead,
} from './snapshots.ts';

/** Raised when the layout of the parts or of published.json changes: nothing older is reused. */
export const OPEN_DATA_VERSION = 1;

/** The files this step writes to `/data/`. */
export const OPEN_DATA_FILES: readonly string[] = [...TABLES.flatMap((t) => [`${t.name}.csv`, `${t.name}.json`]), 'portal.json'];

/** Below `data/` of the site: the folder of the snapshots, all of it this step's. */
export const SNAPSHOTS_FOLDER = 'snapshots';

/** OPEN_DATA_CACHE_DIR, else `.cache/open-data` (with CONTENT_DIR: one per content folder). */
export function openDataCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.OPEN_DATA_CACHE_DIR) return env.OPEN_DATA_CACHE_DIR;
  const content = env.CONTENT_DIR ? `-${createHash('sha1').update(resolve(env.CONTENT_DIR)).digest('hex').slice(0, 12)}` : '';
  return join('.cache', `open-data${content}`);
}

const hash = (value: unknown) => createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex');

let code: string | undefined;
/** The open-data layout's version with the digest of the code (src/site/code-digest.ts): a part made by other code is not reused. */
function codeKey(): string {
  return (code ??= hash([OPEN_DATA_VERSION, codeDigest() ?? `uncached ${process.pid} ${Date.now()}`]));
}

/** A part: the bytes between a file's header and its footer that some records make, under their key. */
interface Part {
  key: string;
}
/** A file as pieces: text, or parts joined (as a JSON list: `[]`, or `[` + records, the first comma dropped, + `\n ]`). */
type Piece = { text: string } | { parts: Part[]; list: boolean };

interface FileState {
  key: string;
  sha256: string;
  bytes: number;
}
interface State {
  version: number;
  /** Rows of each table part, by part key (a part's row count, kept while the part is). */
  rows: Record<string, number>;
  files: Record<string, FileState>;
}

/** What the `/data/` page and writeOpenData need, saved as published.json. */
export interface PublishedOpenData {
  /** Changes with the code, the as-of date, the records and the kept snapshots: a stale file is prepared again. */
  key: string;
  asOf: string;
  /** Where kept snapshots are carried forward from (absolute). */
  keptDir: string;
  files: Record<string, { sha256: string; bytes: number }>;
  /** Rows of each table, by table name. */
  rows: Record<string, number>;
  /** Oldest first; `kept`: from the kept folder, else the day's snapshot made from `files`. */
  snapshots: { date: string; sha256: string; manifest: Manifest; kept: boolean }[];
  /** The day's manifest.json as text, when this build adds a snapshot. */
  addedManifest?: string;
  note?: string;
  /** By snapshot date: what changed since the previous snapshot. */
  diffs: Record<string, SnapshotDiff>;
  history: SnapshotHistory;
}

const PUBLISHED = 'published.json';
const STATE = 'state.json';

/** Writes `path` through a temporary file renamed into place: an interrupted write leaves the old file or none. */
function writeAtomically(path: string, write: (fd: number) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    rmSync(tmp, { force: true });
    throw error;
  }
}

function writeAll(fd: number, data: Buffer | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
}

const writeText = (path: string, text: string | Buffer) => writeAtomically(path, (fd) => writeAll(fd, text));

/** Runs of consecutive records with the same plan (items are sorted by plan: one run per plan). */
function runsBy<T>(records: readonly T[], planOf: (r: T) => string): T[][] {
  const runs: T[][] = [];
  let last: string | undefined;
  for (const r of records) {
    const plan = planOf(r);
    if (runs.length && plan === last) runs.at(-1)!.push(r);
    else runs.push([r]);
    last = plan;
  }
  return runs;
}

/** A table's parts: what makes each one's rows, under its key. */
function tableParts(table: Table, portal: Portal, codeKey: string): { key: string; rows: () => Row[] }[] {
  const key = (digest: string) => hash([codeKey, portal.asOf, 'table', table.name, digest]);
  const of = table.of;
  if (of && 'item' in of) return runsBy(portal.items, (p) => p.plan.id).map((run) => ({ key: key(itemsDigest(run)), rows: () => run.flatMap(of.item) }));
  if (of && 'plan' in of) return portal.content.plans.map((plan) => ({ key: key(digestOf(plan)), rows: () => of.plan(plan) }));
  return [{ key: key(`reference ${referenceDigest(portal)}`), rows: () => table.rows(portal) }];
}

/** portal.json's lists in parts: items and plans per plan, every other list whole (records that are not items). */
function portalParts(portal: Portal, list: string, records: readonly unknown[], codeKey: string): { key: string; text: () => string }[] {
  const key = (digest: string) => hash([codeKey, 'portal.json', list, digest]);
  const text = (rs: readonly unknown[]) => () => rs.map(jsonRecord).join('');
  if (list === 'items') return runsBy(portal.content.items, (i) => i.plan).map((run) => ({ key: key(run.map((i) => digestOf(i)).join(' ')), text: text(run) }));
  if (list === 'plans') return portal.content.plans.map((plan) => ({ key: key(digestOf(plan)), text: text([plan]) }));
  return [{ key: key(`reference ${referenceDigest(portal)}`), text: text(records) }];
}

/** The freshness key of published.json: the code, the as-of date, every record, the kept snapshots. */
function publishedKey(portal: Portal, keptDir: string): string {
  const kept = readSnapshotHeads(keptDir).map((h) => h.sha256);
  return hash([codeKey(), portal.asOf, referenceDigest(portal), itemsDigest(portal.items), resolve(keptDir), kept]);
}

export interface PrepareOptions {
  cacheDir?: string;
  keptDir?: string;
  /** Called with what was done, for the step's log. */
  log?: (line: string) => void;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Brings the cache up to date for `portal` (parts, joined files, published.json) and returns what
 * is published. Nothing is written when published.json is already up to date.
 */
export function prepareOpenData(portal: Portal, options: PrepareOptions = {}): PublishedOpenData {
  const dir = options.cacheDir ?? openDataCacheDir();
  const keptDir = options.keptDir ?? snapshotsDir();
  const log = options.log ?? (() => {});
  const key = publishedKey(portal, keptDir);
  const previous = readJson<PublishedOpenData>(join(dir, PUBLISHED));
  if (previous?.key === key && OPEN_DATA_FILES.every((f) => statSafe(join(dir, 'files', f))?.size === previous.files[f]?.bytes)) {
    log('开放数据：与上次相同，未重写。');
    return previous;
  }

  const currentCode = codeKey();
  const partsDir = join(dir, 'parts');
  mkdirSync(partsDir, { recursive: true });
  const old = readJson<State>(join(dir, STATE));
  const state: State = { version: OPEN_DATA_VERSION, rows: {}, files: {} };
  const oldRows = old?.version === OPEN_DATA_VERSION ? old.rows : {};
  const used = new Set<string>();
  const partPath = (name: string) => join(partsDir, name);
  let written = 0;
  let reused = 0;
  const plans: { name: string; pieces: Piece[] }[] = [];
  const rows: Record<string, number> = {};
  /** Each table's part keys, in order (the items and parts tables' give the day's facets). */
  const partKeys: Record<string, string[]> = {};

  for (const table of TABLES) {
    const columns = Object.keys(table.columns);
    const parts = tableParts(table, portal, currentCode);
    let count = 0;
    for (const p of parts) {
      const [csv, json] = [`${p.key}.csv`, `${p.key}.json`];
      used.add(csv).add(json);
      let n = oldRows[p.key];
      if (n === undefined || !existsSync(partPath(csv)) || !existsSync(partPath(json))) {
        const records = p.rows();
        writeText(partPath(csv), csvLines(columns, records));
        writeText(partPath(json), records.map(jsonRecord).join(''));
        n = records.length;
        written += 1;
      } else reused += 1;
      state.rows[p.key] = n;
      count += n;
    }
    rows[table.name] = count;
    partKeys[table.name] = parts.map((p) => p.key);
    if (table.name === 'parts') {
      // The snapshot facets of each plan's items (for the history), from its items and parts parts:
      // kept beside them, so the day's facets are gathered without parsing the whole files.
      const items = partKeys.items!;
      items.forEach((itemsKey, k) => {
        const name = `${itemsKey}.facets`;
        used.add(name);
        if (existsSync(partPath(name))) return;
        const list = (key: string) => Buffer.from(`{"rows":[${readFileSync(partPath(`${key}.json`), 'utf8').slice(1)}]}`);
        writeText(partPath(name), JSON.stringify(toRows(facetsOf(list(itemsKey), list(parts[k]!.key)))));
      });
    }
    const keys = parts.map((p) => ({ key: p.key }));
    plans.push({ name: `${table.name}.csv`, pieces: [{ text: csvHeader(columns) }, { parts: keys.map((k) => ({ key: `${k.key}.csv` })), list: false }] });
    plans.push({
      name: `${table.name}.json`,
      pieces: jsonLayout(tableJsonHead(table, portal), ['rows']).map((piece) => ('text' in piece ? piece : { parts: keys.map((k) => ({ key: `${k.key}.json` })), list: true })),
    });
  }

  const split = portalJsonParts(portal);
  if (split) {
    const pieces = jsonLayout(split.head, Object.keys(split.lists)).map((piece): Piece => {
      if ('text' in piece) return piece;
      const parts = portalParts(portal, piece.list, split.lists[piece.list]!, currentCode);
      for (const p of parts) {
        const name = `${p.key}.json`;
        used.add(name);
        if (existsSync(partPath(name))) reused += 1;
        else {
          writeText(partPath(name), p.text());
          written += 1;
        }
      }
      return { parts: parts.map((p) => ({ key: `${p.key}.json` })), list: true };
    });
    plans.push({ name: 'portal.json', pieces });
  } else {
    // The content's key order puts a plain value after a list: one JSON.stringify, as portalJson writes it.
    plans.push({ name: 'portal.json', pieces: [{ text: JSON.stringify({ asOf: portal.asOf, ...portal.content }, null, 1) }] });
  }

  // Join each file from its parts, unless its parts are the ones it was joined from.
  const oldFiles = old?.version === OPEN_DATA_VERSION ? old.files : {};
  let joined = 0;
  for (const plan of plans) {
    const fileKey = hash(plan.pieces.map((p) => ('text' in p ? p.text : [p.list, p.parts.map((x) => x.key)])));
    const path = join(dir, 'files', plan.name);
    const had = oldFiles[plan.name];
    if (had?.key === fileKey && statSafe(path)?.size === had.bytes) {
      state.files[plan.name] = had;
      continue;
    }
    state.files[plan.name] = { key: fileKey, ...joinFile(path, plan.pieces, partPath) };
    joined += 1;
  }
  // Parts no longer used go (a plan removed, a record changed), and what an interrupted run left.
  for (const name of readdirSync(partsDir)) if (!used.has(name)) rmSync(partPath(name), { force: true });
  for (const name of readdirSync(join(dir, 'files'))) if (name.includes('.tmp-')) rmSync(join(dir, 'files', name), { force: true });
  writeText(join(dir, STATE), JSON.stringify(state));
  log(`开放数据：${written} 个部分重新生成，${reused} 个沿用；${joined} 个文件重新拼接，${plans.length - joined} 个未变。`);

  const files = Object.fromEntries(Object.entries(state.files).map(([name, f]) => [name, { sha256: f.sha256, bytes: f.bytes }]));
  const published = publishSnapshots(portal, dir, keptDir, files, rows, partKeys, key);
  writeText(join(dir, PUBLISHED), JSON.stringify(published));
  return published;
}

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Streams a file's pieces to a temporary file, hashing them on the way, then renames it into place. */
function joinFile(path: string, pieces: readonly Piece[], partPath: (name: string) => string): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  let bytes = 0;
  writeAtomically(path, (fd) => {
    // Small pieces are gathered up to 1 MB before each write.
    let pending: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (!size) return;
      writeAll(fd, pending.length === 1 ? pending[0]! : Buffer.concat(pending, size));
      pending = [];
      size = 0;
    };
    const out = (buf: Buffer) => {
      h.update(buf);
      bytes += buf.length;
      pending.push(buf);
      size += buf.length;
      if (size >= 1 << 20) flush();
    };
    for (const piece of pieces) {
      if ('text' in piece) {
        out(Buffer.from(piece.text));
        continue;
      }
      let first = true;
      for (const part of piece.parts) {
        const data = readFileSync(partPath(part.key));
        if (!data.length) continue;
        if (piece.list && first) out(Buffer.from(JSON_LIST.open));
        // A list's records each start with a comma: the first one's is dropped.
        out(piece.list && first ? data.subarray(1) : data);
        first = false;
      }
      if (piece.list) out(Buffer.from(first ? JSON_LIST.empty : JSON_LIST.close));
    }
    flush();
  });
  return { sha256: h.digest('hex'), bytes };
}

/** Facets kept in the cache: `[id, status, deadline, text, plan_title, number]`. */
type FacetRow = [string, string, string, string, unknown, unknown];
const toRows = (facets: Map<string, ItemFacets>): FacetRow[] => [...facets].map(([id, f]) => [id, f.status, f.deadline, f.text, f.row.plan_title, f.row.number]);
const fromRows = (rows: FacetRow[]) => new Map(rows.map(([id, status, deadline, text, plan_title, number]) => [id, { status, deadline, text, row: { plan_title, number } }] as const));
/** A snapshot's facets are those of its items.json and parts.json: cached under their hashes. */
const facetsKey = (files: Record<string, { sha256: string } | undefined>) => `${files['items.json']?.sha256 ?? '-'}-${files['parts.json']?.sha256 ?? '-'}`;

/** The published snapshots with the day's one, the changes between them and the history. */
function publishSnapshots(
  portal: Portal, dir: string, keptDir: string, files: Record<string, { sha256: string; bytes: number }>, rows: Record<string, number>, partKeys: Record<string, string[]>, key: string,
): PublishedOpenData {
  const kept = readSnapshotHeads(keptDir);
  const current = Object.entries(files);
  const published = publishedAs<SnapshotHead>(kept, portal.asOf, (previous) => makeSnapshotHead(portal.asOf, current, previous));
  const facetsDir = join(dir, 'facets');
  mkdirSync(facetsDir, { recursive: true });
  const usedFacets = new Set<string>();
  // The day's facets, from the items and parts tables' parts, one plan at a time (never the whole files parsed).
  const todayKey = facetsKey(files);
  const todayFile = join(facetsDir, `${todayKey}.json`);
  if (!existsSync(todayFile)) {
    // Each plan's facets, kept beside its parts (the items and parts tables have one part per plan's run of items, in the same order).
    const all: FacetRow[] = [];
    for (const key of partKeys.items!) all.push(...JSON.parse(readFileSync(join(dir, 'parts', `${key}.facets`), 'utf8')) as FacetRow[]);
    writeText(todayFile, JSON.stringify(all));
  }
  const facetsFor = (s: SnapshotHead, fromKept: boolean): Map<string, ItemFacets> => {
    const byName = Object.fromEntries(s.manifest.files.map((f) => [f.name, f]));
    const k = facetsKey(byName);
    usedFacets.add(`${k}.json`);
    const file = join(facetsDir, `${k}.json`);
    const cached = readJson<FacetRow[]>(file);
    if (cached) return fromRows(cached);
    // A kept snapshot seen for the first time: its two files parsed once.
    const read = (name: string) => (byName[name] ? readFileSync(fromKept ? join(keptDir, s.date, name) : join(dir, 'files', name)) : undefined);
    const facets = facetsOf(read('items.json'), read('parts.json'));
    writeText(file, JSON.stringify(toRows(facets)));
    return facets;
  };
  const facets = published.snapshots.map((s) => facetsFor(s, s !== published.added));
  for (const name of readdirSync(facetsDir)) if (!usedFacets.has(name) && name !== `${todayKey}.json`) rmSync(join(facetsDir, name), { force: true });
  const diffs: Record<string, SnapshotDiff> = {};
  published.snapshots.forEach((s, k) => {
    if (k > 0) diffs[s.date] = diffFacets(published.snapshots[k - 1]!.date, facets[k - 1]!, s.date, facets[k]!);
  });
  // An item named as the site names it today; one no longer published, as its last snapshot did.
  const history = historyOfFacets(published.snapshots.map((s) => s.date), facets, (id, row) => {
    const item = portal.item(id);
    return item ? { plan: item.plan.title, number: item.numberLabel } : { plan: String(row.plan_title ?? ''), number: `第${String(row.number ?? '')}项` };
  });
  return {
    key,
    asOf: portal.asOf,
    keptDir: resolve(keptDir),
    files,
    rows,
    snapshots: published.snapshots.map((s) => ({ date: s.date, sha256: s.sha256, manifest: s.manifest, kept: s !== published.added })),
    ...(published.added ? { addedManifest: published.added.manifestBytes.toString('utf8') } : {}),
    ...(published.note ? { note: published.note } : {}),
    diffs,
    history,
  };
}

/** Puts `src` at `dest` as a hard link (a copy across file systems), through a temporary name; nothing when it is already that file. */
function place(src: string, dest: string): void {
  const [a, b] = [statSync(src), statSafe(dest)];
  if (b && a.ino === b.ino && a.dev === b.dev) return;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  try {
    linkSync(src, tmp);
  } catch {
    copyFileSync(src, tmp);
  }
  renameSync(tmp, dest);
}

/** Removes every file below `dir` that `keep` does not name, then empty folders. */
function removeOthers(dir: string, keep: ReadonlySet<string>): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      removed += removeOthers(path, keep);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (!keep.has(path)) {
      rmSync(path);
      removed += 1;
    }
  }
  return removed;
}

/**
 * Writes the prepared open data into a site folder (`dist/client`): `/data/<file>` for every file,
 * `/data/snapshots/<date>/` for every published snapshot (the day's from the same files, kept ones
 * from the kept folder, byte for byte), `index.json` and `history.json`. Returns how many files it
 * placed and removed.
 */
export function writeOpenData(siteDir: string, cacheDir = openDataCacheDir()): { placed: number; removed: number } {
  const published = readJson<PublishedOpenData>(join(cacheDir, PUBLISHED));
  if (!published) throw new Error(`没有准备好的开放数据（${join(cacheDir, PUBLISHED)}）：先运行 tsx scripts/open-data.ts`);
  // The files must be those published.json describes (a prepare step stopped between the two would leave them apart).
  const state = readJson<State>(join(cacheDir, STATE));
  const data = join(siteDir, 'data');
  let placed = 0;
  for (const name of OPEN_DATA_FILES) {
    const src = join(cacheDir, 'files', name);
    if (statSync(src).size !== published.files[name]?.bytes || state?.files[name]?.sha256 !== published.files[name]?.sha256) throw new Error(`${src} 与准备时不同：先运行 tsx scripts/open-data.ts`);
    place(src, join(data, name));
    placed += 1;
  }
  const base = join(data, SNAPSHOTS_FOLDER);
  const keep = new Set<string>();
  for (const s of published.snapshots) {
    const folder = join(base, s.date);
    for (const f of listedFiles(s.manifest)) {
      const dest = join(folder, f.name);
      place(s.kept ? join(published.keptDir, s.date, f.name) : join(cacheDir, 'files', f.name), dest);
      keep.add(dest);
      placed += 1;
    }
    const manifest = join(folder, MANIFEST);
    if (s.kept) place(join(published.keptDir, s.date, MANIFEST), manifest);
    else writeText(manifest, published.addedManifest!);
    keep.add(manifest);
  }
  writeText(join(base, 'index.json'), indexBytes(published.snapshots));
  writeText(join(base, 'history.json'), JSON.stringify(published.history));
  keep.add(join(base, 'index.json')).add(join(base, 'history.json'));
  return { placed, removed: removeOthers(base, keep) };
}

/** Whether a path below a site folder (`data/...`, relative) is one writeOpenData writes: scripts/astro-build.ts leaves them. */
export function isOpenDataPath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return parts[0] === 'data' && ((parts.length === 2 && OPEN_DATA_FILES.includes(parts[1]!)) || (parts.length > 2 && parts[1] === SNAPSHOTS_FOLDER));
}

let inProcess: PublishedOpenData | undefined;
/** What the `/data/` page shows: published.json as the step prepared it, or prepared now if it is missing or stale. */
export function publishedOpenData(portal: Portal): PublishedOpenData {
  return (inProcess ??= prepareOpenData(portal));
}
