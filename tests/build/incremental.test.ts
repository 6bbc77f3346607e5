/**
 * Incremental builds (astro.config.mjs `experimental.incrementalBuild`, keys in src/site/page-keys.ts):
 * a copy of the real content is built, one item's status is changed, and it is built again. The item's
 * page and data, its plan's, unit's and region's pages and files, and the dashboard show the new
 * status; pages that do not print that item are reused (Astro logs them "cached"/"restored"); and the
 * output folder, kept between builds as `npm run build` keeps it (scripts/astro-build.ts), holds byte for
 * byte what a build from scratch gives: nothing an earlier build left that the content no longer makes.
 * A changed component invalidates exactly the pages that use it; a changed layout invalidates all.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AS_OF = '2026-06-30';
const ITEM = 'wuwei-2017-01';
const ITEM_FILE = join('items', 'wuwei-2017', '01.yaml');

let work: string;
let content: string;
/** Each build's log and its static files, by path. */
interface Built {
  log: string;
  files: Map<string, string>;
}
const builds: Record<'first' | 'second' | 'scratch' | 'component' | 'layout', Built> = {} as never;

function filesOf(dir: string, at = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(at, { withFileTypes: true })) {
    const path = join(at, e.name);
    if (e.isDirectory()) filesOf(dir, path, out);
    else out.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return out;
}

/** Builds as `npm run build` does into `<work>/<dist>`, kept between builds with the same cache. */
function build(name: keyof typeof builds, dist: string, cache: string, touch?: string): void {
  const out = join(work, dist);
  const log = execFileSync(join('node_modules', '.bin', 'tsx'), ['tests/support/astro-build.ts', out, ...(touch ? [touch] : [])], {
    env: {
      ...process.env,
      CONTENT_DIR: content,
      PORTAL_AS_OF: AS_OF,
      SITE_URL: 'https://fixture.example',
      SNAPSHOTS_DIR: join(work, 'snapshots'),
      ASTRO_CACHE_DIR: join(work, cache),
      // The open-data step's parts kept beside Astro's cache: the build from scratch starts without them.
      OPEN_DATA_CACHE_DIR: join(work, `${cache}-open-data`),
      ASTRO_TELEMETRY_DISABLED: '1',
      NO_COLOR: '1',
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // eslint-disable-next-line no-control-regex
  builds[name] = { log: log.replace(/\u001b\[[0-9;]*m/g, ''), files: filesOf(join(out, 'client')) };
}

/** Paths Astro reused from the previous build (`├─ /path (cached)` or `(restored)`). */
const reused = (b: Built) => new Set([...b.log.matchAll(/├─ (\S+) \((?:cached|restored|kept)\)/g)].map((m) => m[1]!.replace(/^\//, '')));
/** Rendered by Astro (`(+12ms)`) or written by scripts/record-files.ts (`(written)`: the record pages' data files). */
const rendered = (b: Built) => new Set([...b.log.matchAll(/├─ (\S+) \((?:\+|written\))/g)].map((m) => m[1]!.replace(/^\//, '')));
const page = (b: Built, path: string) => b.files.get(join(path, 'index.html')) ?? '';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

beforeAll(() => {
  // Inside the project: the adapter's prerender bundle must resolve the project's node_modules.
  mkdirSync('.scratch', { recursive: true });
  work = mkdtempSync(join('.scratch', 'incremental-'));
  content = join(work, 'content');
  cpSync('content', content, { recursive: true });
  mkdirSync(join(work, 'snapshots'));
  build('first', 'dist', 'cache');
  // What an earlier build left that this content no longer makes: a page of a removed item, and a bundle.
  mkdirSync(join(work, 'dist', 'client', 'items', 'removed-item'));
  writeFileSync(join(work, 'dist', 'client', 'items', 'removed-item', 'index.html'), '<p>removed</p>');
  mkdirSync(join(work, 'dist', 'client', '_pages', 'items'), { recursive: true });
  writeFileSync(join(work, 'dist', 'client', '_pages', 'items', '0.json'), '{}');
  const file = join(content, ITEM_FILE);
  const before = readFileSync(file, 'utf8');
  expect(before).toContain('status: basically-completed');
  writeFileSync(file, before.replace('status: basically-completed', 'status: not-completed'));
  build('second', 'dist', 'cache');
  // The same content from scratch (an empty folder and cache), to compare every file with.
  build('scratch', 'dist-scratch', 'cache-scratch');
  // Code changes, on top of the second build: a component only item pages use, then the layout.
  build('component', 'dist', 'cache', 'src/components/TextDiff.astro');
  build('layout', 'dist', 'cache', 'src/layouts/Base.astro');
}, 900_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('one changed item', () => {
  it('shows the new status on its page and data, its plan, unit and region pages and files, and the dashboard', () => {
    const [first, second] = [builds.first, builds.second];
    expect(page(first, `items/${ITEM}`)).toMatch(/当前状态<\/dt>\s*<dd><span class="badge s-done">基本完成<\/span>/);
    expect(page(second, `items/${ITEM}`)).toMatch(/当前状态<\/dt>\s*<dd><span class="badge s-bad">未完成<\/span>/);
    expect(JSON.parse(second.files.get(`items/${ITEM}/item.json`)!).assessment.status).toBe('not-completed');
    expect(second.files.get(`items/${ITEM}/feed.xml`)).toContain('未完成');
    const row = (html: string) => text(html.slice(html.indexOf(`href="/items/${ITEM}/"`), html.indexOf('</tr>', html.indexOf(`href="/items/${ITEM}/"`))));
    for (const path of ['plans/wuwei-2017', 'units/wuwei-2017-plan-units', 'regions/gansu-wuwei']) {
      expect(row(page(first, path)), path).toContain('基本完成');
      expect(row(page(second, path)), path).toContain('未完成');
    }
    for (const file of ['plans/wuwei-2017/items.csv', 'units/wuwei-2017-plan-units/items.csv', 'regions/gansu-wuwei/items.csv', 'data/items.csv', `data/snapshots/${AS_OF}/items.csv`]) {
      const line = (b: Built) => b.files.get(file)!.split('\n').find((l) => l.startsWith(`${ITEM},`)) ?? '';
      expect(line(first), file).toContain('基本完成');
      expect(line(second), file).toContain('未完成');
    }
    // The dashboard is rendered every build: its counts moved by one.
    expect(page(second, '')).not.toBe(page(first, ''));
  });

  it('reuses the pages that do not print the item, and renders those that do', () => {
    const [r, n] = [reused(builds.second), rendered(builds.second)];
    for (const path of [`items/${ITEM}/index.html`, `items/${ITEM}/item.json`, `items/${ITEM}/feed.xml`, 'plans/wuwei-2017/index.html', 'units/wuwei-2017-plan-units/index.html', 'regions/gansu-wuwei/index.html', 'index.html']) {
      expect(n.has(path), path).toBe(true);
      expect(r.has(path), path).toBe(false);
    }
    for (const path of ['items/wuwei-2020-01/index.html', 'items/wuwei-2020-01/item.json', 'items/wuwei-2017-02/index.html', 'plans/wuwei-2020/index.html', 'sources/mee-2019-04-press-briefing/index.html']) {
      expect(r.has(path), path).toBe(true);
    }
    // Most keyed pages were reused: the first build reused none.
    expect(reused(builds.first).size).toBe(0);
    expect(r.size).toBeGreaterThan(n.size);
  });

  it('gives byte for byte the site a build from scratch gives, without what the content no longer makes', () => {
    const [second, scratch] = [builds.second, builds.scratch];
    expect(second.files.has('items/removed-item/index.html')).toBe(false);
    expect(second.files.has('_pages/items/0.json')).toBe(false);
    expect([...second.files.keys()].sort()).toEqual([...scratch.files.keys()].sort());
    // Assets are content-hashed and pages name them: equal names, equal bytes.
    const differ = [...scratch.files].filter(([path, bytes]) => second.files.get(path) !== bytes).map(([path]) => path);
    expect(differ).toEqual([]);
  });
});

describe('changed code', () => {
  it('renders again every page whose code changed, and only those', () => {
    const [r, n] = [reused(builds.component), rendered(builds.component)];
    expect(n.has(`items/${ITEM}/index.html`)).toBe(true);
    expect(n.has('items/wuwei-2020-01/index.html')).toBe(true);
    expect([...r].filter((p) => /^items\/[^/]+\/index\.html$/.test(p))).toEqual([]);
    // item.json and other pages do not use the component.
    expect(r.has('items/wuwei-2020-01/item.json')).toBe(true);
    expect(r.has('plans/wuwei-2020/index.html')).toBe(true);
  });

  it('renders every page again when the layout changed', () => {
    const r = reused(builds.layout);
    expect([...r].filter((p) => p.endsWith('.html'))).toEqual([]);
    expect(rendered(builds.layout).has('plans/wuwei-2020/index.html')).toBe(true);
  });
});
