/** Sources you can check: each source page publishes the archived text the portal was built from, its SHA-256 and size; cite links land on the line of the quotation. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';

const portal = getPortal();
const page = (path: string) => readFileSync(join('dist/client', path, 'index.html'), 'utf8');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('source pages', () => {
  it.each(portal.content.sources.map((s) => [s.id, s.archivedCopy!]))('%s publishes its archived text byte for byte with its SHA-256', (id, file) => {
    const seed = readFileSync(join('tests/fixtures/seeds', file));
    const download = readFileSync(join('dist/client/sources/archive', file));
    expect(download.equals(seed)).toBe(true);
    const html = page(`sources/${id}`);
    expect(html).toContain(`data-sha256="${sha(seed)}"`);
    expect(html).toContain(`${seed.length.toLocaleString('zh-CN')} 字节`);
    expect(page('sources')).toContain(sha(seed));
    // Every line is there, as an anchor.
    const lines = seed.toString('utf8').split('\n');
    expect(html).toContain(`<li id="L${lines.length}">`);
  });

  it('links a cite line to the line of its quotation in the archived text', () => {
    const item = page('items/wuwei-2017-02');
    const [, line] = /href="\/sources\/wuwei-2020-plan-notice\/#L(\d+)"/.exec(item)!;
    const source = page('sources/wuwei-2020-plan-notice');
    const li = new RegExp(`<li id="L${line}">([^<]*)</li>`).exec(source)![1]!;
    expect(decode(li)).toContain('未完成整改的3项');
  });

  it('says the original URL is not recorded rather than inventing one', () => {
    for (const s of portal.content.sources) if (!s.url) expect(page(`sources/${s.id}`)).toContain('原始网址</dt><dd>未收录');
  });
});
