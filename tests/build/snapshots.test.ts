/** The open-data snapshots in dist/: the build's snapshot holds this build's open data, the chain verifies, and `npm run verify:snapshots` fails on a tampered copy. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { sha256, type Manifest } from '../../src/site/snapshots.ts';

const portal = getPortal();
const base = 'dist/client/data/snapshots';
const index = JSON.parse(readFileSync(`${base}/index.json`, 'utf8')) as { snapshots: { date: string; sha256: string; previous: string | null }[] };
const latest = index.snapshots.at(-1)!;
const manifest = JSON.parse(readFileSync(`${base}/${latest.date}/manifest.json`, 'utf8')) as Manifest;
const dataPage = readFileSync('dist/client/data/index.html', 'utf8');
const verify = (target: string) => spawnSync('node_modules/.bin/tsx', ['scripts/verify-snapshots.ts', target], { encoding: 'utf8' });

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('open-data snapshots', () => {
  it('publishes a snapshot for the build date holding every open-data file byte for byte', () => {
    // A build dated before a kept snapshot adds none (the chain only grows forward); the data page says so.
    if (dataPage.includes('不补写较早的快照')) return expect(latest.date > portal.asOf).toBe(true);
    expect(latest.date).toBe(portal.asOf);
    // A snapshot for the date published earlier with other data is kept as it was; the data page then says so.
    if (dataPage.includes('不可改写')) return;
    const names = manifest.files.map((f) => f.name);
    expect(names).toContain('items.csv');
    expect(names).toContain('portal.json');
    expect(names.length).toBe(readdirSync('dist/client/data').filter((f) => /\.(csv|json)$/.test(f) && !['reference.json', 'search-labels.json', 'regions.json'].includes(f)).length);
    for (const f of manifest.files) {
      const published = readFileSync(`dist/client/data/${f.name}`);
      expect(readFileSync(`${base}/${latest.date}/${f.name}`).equals(published), f.name).toBe(true);
      expect(sha256(published), f.name).toBe(f.sha256);
      expect(published.length).toBe(f.bytes);
    }
  });

  it('chains each manifest to the previous one, as the index records', () => {
    expect(sha256(readFileSync(`${base}/${latest.date}/manifest.json`))).toBe(latest.sha256);
    index.snapshots.forEach((s, k) => expect(s.previous).toBe(k === 0 ? null : index.snapshots[k - 1]!.sha256));
  });

  it('lists the snapshots on the open-data page with their manifest hashes', () => {
    expect(dataPage).toContain('id="snapshots"');
    expect(dataPage).toContain(latest.sha256);
    expect(dataPage).toContain(`/data/snapshots/${latest.date}/manifest.json`);
  });

  it('npm run verify:snapshots passes on dist/ and fails, naming the file, on a tampered copy', () => {
    const ok = verify('dist/client');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('哈希链完整');

    const site = mkdtempSync(join(tmpdir(), 'tampered-site-'));
    temps.push(site);
    cpSync(base, join(site, 'data', 'snapshots'), { recursive: true });
    const file = join(site, 'data', 'snapshots', latest.date, 'items.csv');
    writeFileSync(file, readFileSync(file, 'utf8').replace('未公开进展', '已完成'));
    const bad = verify(site);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${latest.date}/items.csv：SHA-256 与清单不符`);

    // The npm script is the same command.
    expect(() => execFileSync('npm', ['run', '--silent', 'verify:snapshots', '--', site], { stdio: 'pipe' })).toThrow();
  });
});
