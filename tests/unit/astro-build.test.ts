/**
 * The kept output folder of incremental builds (scripts/astro-build.ts): after a build, every file it
 * neither wrote nor kept is removed (and folders left empty) except the open-data files, and a build
 * that did not finish makes the next one render everything.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptBuild, pruneOlder } from '../../scripts/astro-build.ts';

let dir: string;
let cache: string;
const put = (path: string, text = 'x', ageSeconds = 0) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  if (ageSeconds) utimesSync(path, new Date(Date.now() - ageSeconds * 1000), new Date(Date.now() - ageSeconds * 1000));
};
/** Astro's manifest of the pages it keeps, as `incremental-build.json` names them. */
const manifest = (outputFiles: string[]) =>
  put(join(cache, 'incremental-build.json'), JSON.stringify({ routes: { 'src/pages/items/[id].astro': { paths: Object.fromEntries(outputFiles.map((f) => [f, { outputFile: f }])) } } }));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'astro-build-'));
  cache = join(dir, 'cache');
  process.env.ASTRO_CACHE_DIR = cache;
});
afterEach(() => {
  delete process.env.ASTRO_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe('pruneOlder', () => {
  it('removes older files that are not kept, and the folders it empties', () => {
    const out = join(dir, 'out');
    put(join(out, 'client', 'items', 'gone', 'index.html'), 'old', 60);
    put(join(out, 'client', 'items', 'kept', 'index.html'), 'old', 60);
    put(join(out, 'client', 'index.html'), 'new');
    const since = Date.now() - 30_000;
    expect(pruneOlder(out, since, new Set([join(out, 'client', 'items', 'kept', 'index.html')]))).toBe(1);
    expect(existsSync(join(out, 'client', 'items', 'gone'))).toBe(false);
    expect(readFileSync(join(out, 'client', 'items', 'kept', 'index.html'), 'utf8')).toBe('old');
    expect(readFileSync(join(out, 'client', 'index.html'), 'utf8')).toBe('new');
  });
});

describe('keptBuild', () => {
  it('keeps what the build wrote and what Astro kept, and removes the rest', async () => {
    const out = join(dir, 'dist');
    put(join(out, 'client', 'items', 'a', 'index.html'), 'kept page', 60);
    put(join(out, 'client', 'items', 'removed', 'index.html'), 'removed item', 60);
    put(join(out, 'client', '_pages', 'items', '0.json'), '{}', 60);
    manifest(['client/items/a/index.html']);
    const removed = await keptBuild(out, 'node', async (force) => {
      expect(force).toBe(false);
      put(join(out, 'client', 'index.html'), 'rendered');
      return true;
    });
    expect(removed).toBe(2);
    expect(existsSync(join(out, 'client', 'items', 'a', 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'client', 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'client', 'items', 'removed'))).toBe(false);
    expect(existsSync(join(out, 'client', '_pages'))).toBe(false);
    expect(existsSync(join(out, '.build-started'))).toBe(false);
  });

  it('leaves the open-data files and snapshots that scripts/open-data.ts writes after it', async () => {
    const out = join(dir, 'dist');
    const data = join(out, 'client', 'data');
    for (const f of ['items.csv', 'portal.json', 'snapshots/index.json', 'snapshots/history.json', 'snapshots/2026-06-30/manifest.json', 'snapshots/2026-06-30/items.csv']) put(join(data, f), 'open data', 60);
    put(join(data, 'old.json'), 'not open data', 60);
    put(join(data, 'items.csv.tmp-1'), 'half', 60);
    manifest([]);
    expect(await keptBuild(out, 'node', async () => true)).toBe(2);
    for (const f of ['items.csv', 'portal.json', 'snapshots/index.json', 'snapshots/history.json', 'snapshots/2026-06-30/manifest.json', 'snapshots/2026-06-30/items.csv']) expect(existsSync(join(data, f)), f).toBe(true);
    expect(existsSync(join(data, 'old.json'))).toBe(false);
    expect(existsSync(join(data, 'items.csv.tmp-1'))).toBe(false);
  });

  it('removes nothing when the build fails, and makes the next build render everything', async () => {
    const out = join(dir, 'dist');
    put(join(out, 'client', 'items', 'a', 'index.html'), 'page', 60);
    manifest([]);
    expect(await keptBuild(out, 'node', async () => false)).toBeNull();
    expect(existsSync(join(out, 'client', 'items', 'a', 'index.html'))).toBe(true);
    const forced: boolean[] = [];
    await keptBuild(out, 'node', async (force) => (forced.push(force), true));
    await keptBuild(out, 'node', async (force) => (forced.push(force), true));
    expect(forced).toEqual([true, false]);
  });
});
