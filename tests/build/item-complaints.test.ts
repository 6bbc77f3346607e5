/**
 * The item page's live complaints section in the build (dist/client): every item page carries the
 * section with its no-JavaScript link and the one small external script that fills it, stays under
 * the page budget, and keeps both when it is served from a bundle (scripts/bundle-pages.ts): the
 * bundled page is the same HTML, and the script stays a static file.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlePages } from '../../scripts/bundle-pages.ts';
import { servePage, type ReadBuilt } from '../../src/site/page-bundles.ts';
import { getPortal } from '../../src/content/portal.ts';

const CLIENT = 'dist/client';
const ITEM_PAGE_BUDGET = 30 * 1024;
const SCRIPT_BUDGET = 1024;
const live = (id: string) => `data-live="/complaints/?item=${id}"`;
const scripts = (html: string) => [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)].map((m) => m[1]!);
const inlineScripts = (html: string) => [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/g)];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('item pages in the build', () => {
  const items = getPortal().items.map((p) => p.item.id);

  it('carry the live section with its link, one small external script, and stay under 30 KB', () => {
    for (const id of items) {
      const html = readFileSync(join(CLIENT, 'items', id, 'index.html'), 'utf8');
      expect(html, id).toContain(live(id));
      expect(html, id).toContain(`<a href="/complaints/?item=${id}">`);
      expect(Buffer.byteLength(html), id).toBeLessThanOrEqual(ITEM_PAGE_BUDGET);
      expect(inlineScripts(html), id).toEqual([]);
      const own = scripts(html).filter((s) => s.includes('LiveSections'));
      expect(own, id).toHaveLength(1);
      expect(statSync(join(CLIENT, own[0]!)).size).toBeLessThanOrEqual(SCRIPT_BUDGET);
    }
  });

  it('keep the section and a script that is still a static file when served from a bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'item-bundles-'));
    dirs.push(dir);
    cpSync(join(CLIENT, 'items'), join(dir, 'items'), { recursive: true });
    cpSync(join(CLIENT, '_astro'), join(dir, '_astro'), { recursive: true });
    const before = new Map(items.map((id) => [id, readFileSync(join(dir, 'items', id, 'index.html'), 'utf8')]));
    const report = bundlePages(dir, readdirSync(join(dir, '_astro')).length + 10);
    expect(report.moved.items).toBeGreaterThan(0);
    const read: ReadBuilt = async (path) => {
      const file = join(dir, ...path.split('/').filter(Boolean), ...(path.endsWith('/') ? ['index.html'] : []));
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    const bundled = items.filter((id) => !existsSync(join(dir, 'items', id)));
    expect(bundled.length).toBeGreaterThan(0);
    for (const id of bundled) {
      const html = await (await servePage('items', `/items/${id}/`, read)).text();
      expect(html).toBe(before.get(id));
      expect(html).toContain(live(id));
      for (const src of scripts(html)) expect(existsSync(join(dir, src)), src).toBe(true);
    }
  });
});
