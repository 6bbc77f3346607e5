/**
 * The open-data step (src/site/open-data-build.ts): files joined from per-plan parts are byte for
 * byte what the one-go serialisers write (and what plain JSON.stringify / one csvOf call give), on
 * the real content and the time fixture; one changed item writes its plan's parts again and nothing
 * else; the snapshots, their changes and the history are those the whole snapshots give; the site
 * folder gets the files and a chain that verifies.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContent, type Content } from '../../src/content/load.ts';
import { buildPortal, type Portal } from '../../src/content/portal.ts';
import { csvBytes, csvOf, TABLES, tableJsonBytes } from '../../src/site/opendata.ts';
import { isOpenDataPath, OPEN_DATA_FILES, prepareOpenData, writeOpenData } from '../../src/site/open-data-build.ts';
import { diffSnapshots, dirSource, historyOf, makeSnapshot, openDataFiles, portalJson, readSnapshotDir, verifySnapshots } from '../../src/site/snapshots.ts';
import { AS_OF as FIXTURE_AS_OF, makeTimeFixture } from '../fixtures/time/make.ts';

const work = mkdtempSync(join(tmpdir(), 'open-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the one-go serialisers write, and what JSON.stringify and one csvOf call write. */
function expected(portal: Portal): Map<string, Buffer> {
  const files = openDataFiles(portal);
  for (const t of TABLES) {
    const rows = t.rows(portal);
    expect(csvBytes(t, portal).equals(Buffer.from(csvOf(Object.keys(t.columns), rows))), t.name).toBe(true);
    expect(tableJsonBytes(t, portal).toString('utf8'), t.name).toBe(JSON.stringify({ table: t.name, title: t.title, asOf: portal.asOf, rows }, null, 1));
  }
  expect(portalJson(portal).toString('utf8')).toBe(JSON.stringify({ asOf: portal.asOf, ...portal.content }, null, 1));
  return files;
}

function prepare(portal: Portal, cacheDir: string, keptDir: string) {
  const lines: string[] = [];
  const published = prepareOpenData(portal, { cacheDir, keptDir, log: (l) => lines.push(l) });
  return { published, log: lines.join('\n') };
}

function expectSameFiles(cacheDir: string, portal: Portal) {
  const want = expected(portal);
  expect([...want.keys()].sort()).toEqual([...OPEN_DATA_FILES].sort());
  for (const [name, bytes] of want) expect(readFileSync(join(cacheDir, 'files', name)).equals(bytes), name).toBe(true);
}

/** One item's latest status changed, as an office publishing one update would (a copy of the content). */
/**
 * The content with one item's latest status changed, as an edit of that item's file gives it: every
 * other record is the same object (so keeps the digest of its file, src/content/load.ts), the
 * changed item is a new one.
 */
function changeOneItem(content: Content, id: string): Content {
  const items = content.items.map((i) => {
    if (i.id !== id) return i;
    const item = structuredClone(i);
    const last = item.statusHistory.at(-1)!;
    last.status = last.status === 'not-completed' ? 'completed' : 'not-completed';
    return item;
  });
  return { ...content, items };
}

describe.each([
  ['the real content', () => loadContent('content').content, '2026-06-30'],
  ['the time fixture', () => loadContent(makeTimeFixture(join(work, 'fixture'))).content, FIXTURE_AS_OF],
])('open data of %s', (_name, load, asOf) => {
  const content = load();
  const portal = buildPortal(content, asOf);
  const cache = join(work, `cache-${asOf}`);
  const kept = join(work, `kept-${asOf}`);
  mkdirSync(kept, { recursive: true });

  it('joins every file from its parts to the bytes the one-go serialisers write', () => {
    const { published, log } = prepare(portal, cache, kept);
    expect(log).toMatch(/0 个沿用；15 个文件重新拼接/);
    expectSameFiles(cache, portal);
    for (const t of TABLES) expect(published.rows[t.name], t.name).toBe(t.rows(portal).length);
    // The day's snapshot: the manifest one-go files give, the first of the chain.
    const whole = makeSnapshot(asOf, openDataFiles(portal), undefined);
    expect(published.addedManifest).toBe(whole.manifestBytes.toString('utf8'));
    expect(published.snapshots.map((s) => s.sha256)).toEqual([whole.sha256]);
    // Prepared again with nothing changed: nothing written.
    expect(prepare(portal, cache, kept).log).toContain('与上次相同');
    expect(readdirSync(join(cache, 'files')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes only the changed plan\'s parts again after one item changed, and joins the same bytes a build from scratch does', () => {
    const id = portal.items.find((p) => p.item.statusHistory.length > 0)!.item.id;
    const changed = buildPortal(changeOneItem(content, id), asOf);
    const { log } = prepare(changed, cache, kept);
    // items, parts and statuses tables, and portal.json's items: one part each, for the item's plan.
    expect(log).toMatch(/^开放数据：4 个部分重新生成，\d+ 个沿用/);
    expectSameFiles(cache, changed);
    const scratch = join(work, `scratch-${asOf}`);
    prepare(changed, scratch, kept);
    for (const name of OPEN_DATA_FILES) expect(readFileSync(join(scratch, 'files', name)).equals(readFileSync(join(cache, 'files', name))), name).toBe(true);
  });

  it('carries kept snapshots forward and derives the changes and the history as the whole snapshots do', () => {
    // A snapshot kept from an earlier publication (a month before, before the change).
    const earlierDate = `${asOf.slice(0, 8)}01`;
    const earlier = makeSnapshot(earlierDate, openDataFiles(buildPortal(content, earlierDate)), undefined);
    const site = join(work, `site-${asOf}`);
    const id = portal.items.find((p) => p.item.statusHistory.length > 0)!.item.id;
    const changed = buildPortal(changeOneItem(content, id), asOf);
    const keptDir = join(work, `kept2-${asOf}`);
    mkdirSync(join(keptDir, earlierDate), { recursive: true });
    for (const [name, bytes] of earlier.files) writeFileSync(join(keptDir, earlierDate, name), bytes);
    const { published } = prepare(changed, cache, keptDir);
    expect(published.snapshots.map((s) => s.kept)).toEqual([false]); // no manifest yet: not a kept snapshot
    // With its manifest it is.
    rmSync(join(keptDir, earlierDate), { recursive: true });
    writeKept(keptDir, earlier);
    const after = prepare(changed, cache, keptDir).published;
    const today = makeSnapshot(asOf, openDataFiles(changed), earlier);
    expect(after.snapshots.map((s) => [s.date, s.sha256, s.kept])).toEqual([[earlierDate, earlier.sha256, true], [asOf, today.sha256, false]]);
    expect(after.diffs[asOf]).toEqual(diffSnapshots(earlier, today));
    expect(after.diffs[asOf]!.status).toContain(id);
    const name = (i: string, row: { plan_title: unknown; number: unknown }) => {
      const item = changed.item(i);
      return item ? { plan: item.plan.title, number: item.numberLabel } : { plan: String(row.plan_title ?? ''), number: `第${String(row.number ?? '')}项` };
    };
    expect(after.history).toEqual(historyOf([earlier, today], name));

    // Into a site folder: the files, both snapshot folders, a chain that verifies.
    writeOpenData(site, cache);
    for (const n of OPEN_DATA_FILES) expect(readFileSync(join(site, 'data', n)).equals(readFileSync(join(cache, 'files', n))), n).toBe(true);
    const read = readSnapshotDir(join(site, 'data', 'snapshots'));
    expect(read.map((s) => s.sha256)).toEqual([earlier.sha256, today.sha256]);
    for (const [n, bytes] of today.files) expect(read[1]!.files.get(n)!.equals(bytes), n).toBe(true);
    expect(JSON.parse(readFileSync(join(site, 'data/snapshots/history.json'), 'utf8'))).toEqual(after.history);
    return verifySnapshots(dirSource(site)).then((v) => expect(v.problems).toEqual([]));
  });
});

function writeKept(dir: string, s: ReturnType<typeof makeSnapshot>) {
  mkdirSync(join(dir, s.date), { recursive: true });
  for (const [name, bytes] of s.files) writeFileSync(join(dir, s.date, name), bytes);
  writeFileSync(join(dir, s.date, 'manifest.json'), s.manifestBytes);
}

describe('the site folder', () => {
  it('names the paths scripts/astro-build.ts leaves to the open-data step', () => {
    expect(isOpenDataPath('data/items.csv')).toBe(true);
    expect(isOpenDataPath('data/portal.json')).toBe(true);
    expect(isOpenDataPath('data/snapshots/2026-06-30/items.csv')).toBe(true);
    expect(isOpenDataPath('data/snapshots/index.json')).toBe(true);
    expect(isOpenDataPath('data/reference.json')).toBe(false);
    expect(isOpenDataPath('data/index.html')).toBe(false);
    expect(isOpenDataPath('items/x/items.csv')).toBe(false);
  });

  it('removes snapshot files no longer published, and leaves no temporary file', () => {
    const cache = join(work, 'cache-2026-06-30');
    const site = join(work, 'site-stale');
    mkdirSync(join(site, 'data', 'snapshots', '2020-01-01'), { recursive: true });
    cpSync(join(cache, 'files', 'items.csv'), join(site, 'data', 'snapshots', '2020-01-01', 'items.csv'));
    const { removed } = writeOpenData(site, cache);
    expect(removed).toBe(1);
    // What an interrupted prepare left: a temporary file goes with the next run; files that
    // published.json does not describe are not put into a site.
    writeFileSync(join(cache, 'files', 'items.csv.tmp-999999'), 'half');
    const content = loadContent('content').content;
    prepare(buildPortal(changeOneItem(content, content.items[0]!.id), '2026-06-30'), cache, join(work, 'kept-2026-06-30'));
    expect(existsSync(join(cache, 'files', 'items.csv.tmp-999999'))).toBe(false);
    const published = readFileSync(join(cache, 'published.json'));
    writeFileSync(join(cache, 'published.json'), published.toString('utf8').replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${'0'.repeat(64)}"`));
    expect(() => writeOpenData(site, cache)).toThrow(/先运行/);
    writeFileSync(join(cache, 'published.json'), published);
    expect(existsSync(join(site, 'data', 'snapshots', '2020-01-01'))).toBe(false);
    const all = readdirSync(site, { recursive: true, encoding: 'utf8' });
    expect(all.filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Hard-linked from the cache, not copied (same file).
    expect(statSync(join(site, 'data', 'items.csv')).ino).toBe(statSync(join(cache, 'files', 'items.csv')).ino);
  });
});
