/** Chinese typography on the built pages: one date format in prose, numbers and units spaced alike, artefacts cleaned with the original kept, print keeps the as-of line, breadcrumb and cite line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlFiles } from '../support/html-files.ts';

const page = (path: string) => readFileSync(join('dist/client', path, 'index.html'), 'utf8');
/** The portal's own prose: no scripts, data tables, code, attributes, URLs, or archived source text (verbatim). */
const prose = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<ol class="archive"[\s\S]*?<\/ol>/g, '')
    .replace(/<table[\s\S]*?<\/table>/g, '')
    .replace(/<code[\s\S]*?<\/code>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ');

describe('typography', () => {
  it('writes dates in prose one way (2020年7月30日), never ISO, on every page', () => {
    for (const f of htmlFiles('dist/client')) expect(prose(readFileSync(f, 'utf8')), f).not.toMatch(/(?<![\w-])\d{4}-\d{2}(-\d{2})?(?![\w-])/);
    // Deadlines in item tables too.
    expect(page('plans/wuwei-2020')).toContain('2020年11月30日前');
    expect(page('plans/wuwei-2020')).not.toMatch(/\d{4}-\d{2}-\d{2} 前/);
  });

  it('spaces numbers and Chinese units alike in chart tables (11 项, 57.9%)', () => {
    const html = page('');
    expect(html).toMatch(/<td class="num">11 项<\/td>/);
    expect(html).not.toMatch(/<td class="num">\d+项<\/td>/);
  });

  it('does not repeat the as-of date of a summary whose title already gives it', () => {
    expect(page('progress')).not.toContain('（截至2018年8月）（截至2018年8月31日）');
  });

  it('shows pinyin artefacts cleaned, the original one click away', () => {
    const html = page('progress');
    expect(html).toContain('60個具體問題<details class="original"><summary>原文（含转换残留）</summary><span>60個(gè)具體問題</span></details>');
  });

  it('keeps the as-of line, breadcrumb and cite line in print', () => {
    const css = readFileSync(join('dist/client', /href="(\/_astro\/[^"]+\.css)"/.exec(page(''))![1]!), 'utf8');
    const print = /@media print\{([^{}]*\{[^}]*\})*[^}]*\}/.exec(css)![0];
    const hidden = [...print.matchAll(/([^{}]+)\{display:none\}/g)].map((m) => m[1]!).join(',');
    for (const kept of ['.asof', '.breadcrumb', '.cite']) expect(hidden).not.toContain(kept);
    expect(page('items/wuwei-2020-07')).toMatch(/<p class="muted breadcrumb">/);
  });
});
