/**
 * Reads the content folder: every YAML file, validated against the schemas of
 * `src/model/schemas.ts`. Problems are collected, not thrown, so the content
 * check can report all of them at once, each naming its file and field.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { collections, type CollectionName } from '../model/schemas.ts';
import { configureZodLocale } from '../model/zod-locale.ts';

export type Content = { [K in CollectionName]: z.infer<(typeof collections)[K]>[] };

export interface ContentProblem {
  /** Path of the file, relative to the project root. */
  file: string;
  /** Path of the field inside the file: `parts[0].deadline`. */
  field: string;
  message: string;
}

/** Where each collection lives: a single file holding a list, or a folder of one-record files. */
export const LAYOUT: Record<CollectionName, { file: string } | { dir: string }> = {
  sources: { file: 'sources.yaml' },
  regions: { file: 'regions.yaml' },
  units: { file: 'units.yaml' },
  topics: { file: 'topics.yaml' },
  inspections: { dir: 'inspections' },
  plans: { dir: 'plans' },
  items: { dir: 'items' },
  cases: { dir: 'cases' },
  reportingRounds: { dir: 'reporting-rounds' },
  progressSummaries: { dir: 'progress-summaries' },
};

export interface LoadedContent {
  content: Content;
  problems: ContentProblem[];
  /** File each record came from, keyed `collection:id`, for messages. */
  origins: Map<string, string>;
}

function yamlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Formats a zod issue path the way the messages show it: `parts[0].measures[2].text`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}

/**
 * The content folder everything reads by default: `content/`, or the folder
 * named by CONTENT_DIR (e.g. the synthetic folders of `bench/scale/`), so the
 * content check, `astro build` and the search index can be pointed elsewhere.
 */
export const CONTENT_DIR = process.env.CONTENT_DIR || 'content';

// ---------------------------------------------------------------------------
// The parse cache. Parsing YAML is most of the cost of loading (≈ 1 ms a file: 50,000 items take a
// minute on one core), and the content check, `astro build` and the search index each load the whole
// folder: a file whose bytes are unchanged since it was last parsed cleanly is taken from
// .cache/content/ (validated records, v8-serialised) instead. A file is recognised by its size and
// modification time, or, when those differ or were too close to the parse to tell, by the SHA-1 of its bytes; the cache is dropped when the
// schemas or this loader change (their source is part of the cache's name). Files with problems are
// never cached, so their messages are always fresh. CONTENT_CACHE=off turns it off; CONTENT_CACHE_DIR
// puts it elsewhere.

interface CachedFile {
  size: number;
  mtimeMs: number;
  /** When the entry was made: a file changed again within RACY_MS of that could keep its size and time. */
  checkedMs: number;
  sha1: string;
  records: unknown[];
}

/** Modification times this close to when a file was parsed are not trusted (coarse file-system clocks): its bytes are compared. */
const RACY_MS = 2000;

/** The code that decides what a file's records are: a change to it makes every cached parse stale. */
const LOADER_SOURCES = ['src/model/schemas.ts', 'src/content/load.ts', 'src/model/zod-locale.ts'];

/** The SHA-1 of the loader's code (LOADER_SOURCES), or undefined when its source is not there (a bundle run elsewhere). */
function loaderCode(projectRoot: string): string | undefined {
  const code = createHash('sha1');
  for (const source of LOADER_SOURCES) {
    if (!existsSync(join(projectRoot, source))) return undefined;
    code.update(readFileSync(join(projectRoot, source)));
  }
  return code.digest('hex');
}

/**
 * The digest of each record read from a one-record file (items, plans, inspections, cases, rounds,
 * summaries): the SHA-1 of the file's bytes, which the parse cache keeps anyway, with the loader's
 * code (what turns those bytes into the record). Page keys (src/site/page-keys.ts) use it instead of
 * serialising the record again; records of list files (sources, regions, units, topics) have none.
 */
const fileDigests = new WeakMap<object, string>();
export const recordDigest = (record: object): string | undefined => fileDigests.get(record);

class ParseCache {
  readonly file: string;
  private entries: Map<string, CachedFile>;
  private changed = false;
  private seen = new Set<string>();

  private constructor(file: string, entries: Map<string, CachedFile>) {
    this.file = file;
    this.entries = entries;
  }

  static open(root: string, projectRoot: string): ParseCache | undefined {
    if (process.env.CONTENT_CACHE === 'off') return undefined;
    // Without the loader's source (a bundle run elsewhere) nothing tells a stale parse: no cache.
    const code = loaderCode(projectRoot);
    if (code === undefined) return undefined;
    const name = createHash('sha1').update(resolve(root)).update(code).digest('hex').slice(0, 24);
    const file = join(process.env.CONTENT_CACHE_DIR || join(projectRoot, '.cache', 'content'), `${name}.v8`);
    let entries = new Map<string, CachedFile>();
    try {
      entries = deserialize(readFileSync(file)) as Map<string, CachedFile>;
    } catch {
      // No cache yet, or an unreadable one: parse everything.
    }
    return new ParseCache(file, entries);
  }

  /** The records of `file` if its bytes are those parsed before; they are read only when its size or time differ (or are too recent to tell). */
  get(file: string, read: () => Buffer): { records: unknown[]; sha1: string } | { bytes: Buffer; sha1: string } {
    // By absolute path: the same folder named relatively from elsewhere is the same cache.
    const path = resolve(file);
    this.seen.add(path);
    const st = statSync(path);
    const hit = this.entries.get(path);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.checkedMs - hit.mtimeMs > RACY_MS) return { records: hit.records, sha1: hit.sha1 };
    const bytes = read();
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    if (hit && hit.sha1 === sha1) {
      this.entries.set(path, { ...hit, size: st.size, mtimeMs: st.mtimeMs, checkedMs: Date.now() });
      this.changed = true;
      return { records: hit.records, sha1: hit.sha1 };
    }
    return { bytes, sha1 };
  }

  set(file: string, sha1: string, records: unknown[]): void {
    const path = resolve(file);
    const st = statSync(path);
    this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, checkedMs: Date.now(), sha1, records });
    this.changed = true;
  }

  /** Writes the cache (without files no longer there) when anything changed: to a temporary file, then renamed, so concurrent loads never read half of one. */
  save(): void {
    for (const path of this.entries.keys()) {
      if (!this.seen.has(path)) {
        this.entries.delete(path);
        this.changed = true;
      }
    }
    if (!this.changed) return;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, serialize(this.entries));
      renameSync(tmp, this.file);
    } catch {
      // A read-only checkout: the next load parses again.
    }
  }
}

/** Loads and validates all content below `root` (CONTENT_DIR, i.e. `content/`, by default). */
export function loadContent(root = CONTENT_DIR, projectRoot = process.cwd()): LoadedContent {
  // The problems it reports carry zod's messages: in Chinese, whoever called it (build, scripts, server).
  configureZodLocale();
  const content = Object.fromEntries(Object.keys(LAYOUT).map((k) => [k, []])) as unknown as Content;
  const problems: ContentProblem[] = [];
  const origins = new Map<string, string>();
  const cache = ParseCache.open(root, projectRoot);
  const code = loaderCode(projectRoot);
  const digest = (record: unknown, sha1: string) => {
    if (code !== undefined) fileDigests.set(record as object, `${sha1}:${code}`);
  };

  for (const [name, place] of Object.entries(LAYOUT) as [CollectionName, (typeof LAYOUT)[CollectionName]][]) {
    const schema = collections[name];
    const files = 'file' in place ? [join(root, place.file)] : yamlFiles(join(root, place.dir));
    for (const path of files) {
      const file = relative(projectRoot, path);
      const cached = cache && existsSync(path) ? cache.get(path, () => readFileSync(path)) : undefined;
      if (cached && 'records' in cached) {
        for (const record of cached.records) {
          if ('dir' in place) digest(record, cached.sha1);
          (content[name] as unknown[]).push(record);
          origins.set(`${name}:${(record as { id: string }).id}`, file);
        }
        continue;
      }
      let raw: unknown;
      let sha1 = cached?.sha1;
      try {
        const bytes = cached ? cached.bytes : readFileSync(path);
        sha1 ??= createHash('sha1').update(bytes).digest('hex');
        const docs = parseAllDocuments(bytes.toString('utf8'));
        if (Array.isArray(docs) && docs.length !== 1) throw new Error('每个文件只能包含一个 YAML 文档');
        const doc = Array.isArray(docs) ? docs[0]! : docs;
        if (doc.errors.length) throw new Error(doc.errors[0]!.message);
        raw = doc.toJS();
      } catch (error) {
        problems.push({ file, field: '', message: `无法读取：${(error as Error).message}` });
        continue;
      }
      const records = 'file' in place ? raw : [raw];
      if (!Array.isArray(records)) {
        problems.push({ file, field: '', message: '应为列表' });
        continue;
      }
      const valid: unknown[] = [];
      records.forEach((record, index) => {
        const result = schema.safeParse(record);
        const prefix = 'file' in place ? [index] : [];
        if (!result.success) {
          for (const issue of result.error.issues) {
            problems.push({ file, field: formatPath([...prefix, ...issue.path]), message: issue.message });
          }
          return;
        }
        valid.push(result.data);
        if ('dir' in place) digest(result.data, sha1!);
        (content[name] as unknown[]).push(result.data);
        origins.set(`${name}:${(result.data as { id: string }).id}`, file);
      });
      if (cached && valid.length === records.length) cache!.set(path, cached.sha1, valid);
    }
  }
  cache?.save();
  return { content, problems, origins };
}
