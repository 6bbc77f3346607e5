/**
 * The record pages' data files written outside Astro (scripts/record-files.ts), on the real content
 * into a temporary folder: the same bytes the routes gave, only changed or missing files written
 * again, files of records that are gone removed, everything written again when the code changed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecordFiles } from '../../scripts/record-files.ts';
import { readManifest, recordOutputs } from '../../scripts/record-manifest.ts';
import { getPortal } from '../../src/content/portal.ts';
import { itemJson } from '../../src/site/downloads.ts';
import { entityFeed } from '../../src/site/feeds.ts';

let dir: string;
let out: string;
let manifest: string;
const client = (path: string) => join(out, 'client', ...path.split('/').filter(Boolean));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'record-files-'));
  out = join(dir, 'dist');
  manifest = join(dir, 'cache', 'record-files.json');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('record data files', () => {
  it('writes every record file once, with the bytes of the functions the routes called', () => {
    const portal = getPortal();
    const first = writeRecordFiles(out, manifest);
    expect(first.kept).toEqual([]);
    // Per item two files; per plan, unit and region three; per plan group two.
    const groups = portal.content.plans.reduce((n, p) => n + p.groups.length, 0);
    expect(first.written).toHaveLength(portal.items.length * 2 + (portal.content.plans.length + portal.content.units.length + portal.content.regions.length) * 3 + groups * 2);
    const item = portal.items[0]!;
    expect(readFileSync(client(`/items/${item.item.id}/item.json`), 'utf8')).toBe(itemJson(portal, item));
    expect(readFileSync(client(`/items/${item.item.id}/feed.xml`), 'utf8')).toBe(entityFeed(portal, 'items', item.item.id));
    expect(readFileSync(client(`/plans/${item.plan.id}/items.csv`), 'utf8')).toContain(`${item.item.id},`);
    expect(recordOutputs(manifest, out).sort()).toEqual(first.written.map(client).sort());
  });

  it('writes nothing again when nothing changed, and a missing file only', () => {
    expect(writeRecordFiles(out, manifest).written).toEqual([]);
    const id = getPortal().items[1]!.item.id;
    rmSync(client(`/items/${id}/feed.xml`));
    expect(writeRecordFiles(out, manifest).written).toEqual([`/items/${id}/feed.xml`]);
  });

  it('writes a file whose key changed, and removes the files of a record that is gone (and its emptied folder)', () => {
    const m = readManifest(manifest)!;
    const id = getPortal().items[2]!.item.id;
    m.files[`/items/${id}/item.json`] = 'an older key';
    m.files['/items/gone-item/item.json'] = 'k';
    mkdirSync(client('/items/gone-item'), { recursive: true });
    writeFileSync(client('/items/gone-item/item.json'), '{}');
    writeFileSync(manifest, JSON.stringify(m));
    const r = writeRecordFiles(out, manifest);
    expect(r.written).toEqual([`/items/${id}/item.json`]);
    expect(r.removed).toBe(1);
    expect(existsSync(client('/items/gone-item'))).toBe(false);
    expect(readManifest(manifest)!.files).not.toHaveProperty('/items/gone-item/item.json');
  });

  it('writes everything again when the code changed, or into another output folder', () => {
    const m = readManifest(manifest)!;
    const all = Object.keys(m.files).length;
    writeFileSync(manifest, JSON.stringify({ ...m, code: 'other code' }));
    expect(writeRecordFiles(out, manifest).written).toHaveLength(all);
    const other = join(dir, 'dist-other');
    expect(writeRecordFiles(other, manifest).written).toHaveLength(all);
    // The manifest now describes the other folder: the first one's files are no longer its to keep.
    expect(recordOutputs(manifest, out)).toEqual([]);
  });
});
