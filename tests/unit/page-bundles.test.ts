/**
 * Record pages kept in bundles under a file budget (scripts/bundle-pages.ts) are served at their
 * usual addresses, byte for byte, by the on-demand route's logic (src/site/page-bundles.ts).
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundlePages, routeBundledSections } from '../../scripts/bundle-pages.ts';
import { recordFile, servePage, type ReadBuilt } from '../../src/site/page-bundles.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A built site: 40 item folders (page, JSON, feed), 5 unit folders, a home page and a 404 page. */
function site(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
  dirs.push(dir);
  const client = join(dir, 'client');
  for (let i = 1; i <= 40; i++) {
    const id = `plan-${String(i).padStart(2, '0')}`;
    mkdirSync(join(client, 'items', id), { recursive: true });
    writeFileSync(join(client, 'items', id, 'index.html'), `<h1>第${i}项 污水处理厂</h1>`);
    writeFileSync(join(client, 'items', id, 'item.json'), JSON.stringify({ id, text: '“引号”\u2028' }));
    writeFileSync(join(client, 'items', id, 'feed.xml'), `<feed>${id}</feed>`);
  }
  for (let i = 1; i <= 5; i++) {
    mkdirSync(join(client, 'units', `u${i}`), { recursive: true });
    writeFileSync(join(client, 'units', `u${i}`, 'index.html'), `单位 ${i}`);
  }
  writeFileSync(join(client, 'index.html'), '首页');
  writeFileSync(join(client, '404.html'), '未找到');
  return dir;
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

/** Reads as readBuilt in functions/runtime/node.ts does. */
const reader = (client: string): ReadBuilt => async (path) => {
  const file = join(client, ...path.split('/').filter(Boolean), ...(path.endsWith('/') ? ['index.html'] : []));
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};

describe('bundling record pages under a file budget', () => {
  it('leaves a site within its budget alone', () => {
    const dir = site();
    const before = files(join(dir, 'client'));
    const r = bundlePages(join(dir, 'client'), 1000);
    expect(r.filesAfter).toBe(before.length);
    expect(files(join(dir, 'client'))).toEqual(before);
  });

  it('moves the last item folders into bundles until the site fits, and every page is still served as it was', async () => {
    const dir = site();
    const client = join(dir, 'client');
    const original = new Map(files(client).map((f) => [f, readFileSync(join(client, f), 'utf8')]));
    const r = bundlePages(client, 60);
    expect(r.filesBefore).toBe(127);
    expect(r.filesAfter).toBeLessThanOrEqual(60);
    expect(r.filesAfter).toBe(files(client).length);
    // The first items stay static files.
    expect(existsSync(join(client, 'items', 'plan-01', 'index.html'))).toBe(true);
    expect(existsSync(join(client, 'items', 'plan-40'))).toBe(false);
    const read = reader(client);
    for (const [f, text] of original) {
      const m = /^(items|units)\/([^/]+)\/(.+)$/.exec(f);
      if (!m) continue;
      const path = m[3] === 'index.html' ? `/${m[1]}/${m[2]}/` : `/${m[1]}/${m[2]}/${m[3]}`;
      const res = await servePage(m[1] as 'items' | 'units', path, read);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(text);
    }
    const json = await servePage('items', '/items/plan-40/item.json', read);
    expect(json.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect((await servePage('items', '/items/plan-40/feed.xml', read)).headers.get('Content-Type')).toBe('application/atom+xml; charset=utf-8');
  });

  it('adds to the bundles of an earlier, larger budget instead of replacing them', async () => {
    const dir = site();
    const client = join(dir, 'client');
    const original = readFileSync(join(client, 'items', 'plan-40', 'index.html'), 'utf8');
    const first = bundlePages(client, 110);
    expect(first.moved.items).toBeGreaterThan(0);
    expect(existsSync(join(client, 'items', 'plan-40'))).toBe(false);
    const r = bundlePages(client, 70);
    expect(r.filesAfter).toBeLessThanOrEqual(70);
    const res = await servePage('items', '/items/plan-40/', reader(client));
    expect(await res.text()).toBe(original);
  });

  it('answers 404 (Astro then draws the 404 page) for a record that is neither a file nor in a bundle, and for odd paths', async () => {
    const dir = site();
    const client = join(dir, 'client');
    bundlePages(client, 60);
    for (const path of ['/items/plan-99/', '/items/plan-01/other.json', '/items/../index.html', '/items/', '/items/a/b/c']) {
      const res = await servePage('items', path, reader(client));
      expect(res.status, path).toBe(404);
      expect(res.body, path).toBeNull();
    }
    expect(recordFile('items', '/items/x-1/')).toEqual({ id: 'x-1', file: 'index.html' });
    expect(recordFile('items', '/items/x-1')).toEqual({ id: 'x-1', file: 'index.html' });
    expect(recordFile('items', '/items/x-1/feed.xml')).toEqual({ id: 'x-1', file: 'feed.xml' });
    expect(recordFile('items', '/units/x-1/')).toBeUndefined();
  });

  it('makes a Worker build run the Worker first for the sections it bundled', () => {
    const dir = site();
    mkdirSync(join(dir, 'server'));
    writeFileSync(join(dir, 'server', 'wrangler.json'), JSON.stringify({ assets: { directory: '../client', run_worker_first: ['/api/*'] } }));
    const r = bundlePages(join(dir, 'client'), 60);
    routeBundledSections(dir, r);
    const json = JSON.parse(readFileSync(join(dir, 'server', 'wrangler.json'), 'utf8'));
    expect(json.assets.run_worker_first).toEqual(['/api/*', '/items/*']);
    expect(json.assets.directory).toBe('../client');
  });
});
