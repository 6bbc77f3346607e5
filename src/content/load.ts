/**
 * Reads the content folder: every YAML file, validated against the schemas of
 * `src/model/schemas.ts`. Problems are collected, not thrown, so the content
 * check can report all of them at once, each naming its file and field.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/** Loads and validates all content below `root` (CONTENT_DIR, i.e. `content/`, by default). */
export function loadContent(root = CONTENT_DIR, projectRoot = process.cwd()): LoadedContent {
  // The problems it reports carry zod's messages: in Chinese, whoever called it (build, scripts, server).
  configureZodLocale();
  const content = Object.fromEntries(Object.keys(LAYOUT).map((k) => [k, []])) as unknown as Content;
  const problems: ContentProblem[] = [];
  const origins = new Map<string, string>();

  for (const [name, place] of Object.entries(LAYOUT) as [CollectionName, (typeof LAYOUT)[CollectionName]][]) {
    const schema = collections[name];
    const files = 'file' in place ? [join(root, place.file)] : yamlFiles(join(root, place.dir));
    for (const path of files) {
      const file = relative(projectRoot, path);
      let raw: unknown;
      try {
        const docs = parseAllDocuments(readFileSync(path, 'utf8'));
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
      records.forEach((record, index) => {
        const result = schema.safeParse(record);
        const prefix = 'file' in place ? [index] : [];
        if (!result.success) {
          for (const issue of result.error.issues) {
            problems.push({ file, field: formatPath([...prefix, ...issue.path]), message: issue.message });
          }
          return;
        }
        (content[name] as unknown[]).push(result.data);
        origins.set(`${name}:${(result.data as { id: string }).id}`, file);
      });
    }
  }
  return { content, problems, origins };
}
