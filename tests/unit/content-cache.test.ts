/**
 * The parse cache of the content loader (src/content/load.ts): a file whose size and modification
 * time are unchanged is not parsed again; a changed one is; one changed so soon after it was parsed
 * that its time may not tell is compared by its bytes; files with problems are never cached; the
 * same folder named another way is the same cache; and CONTENT_CACHE=off parses everything.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';

let dir: string;
let content: string;
const FILE = 'items/wuwei-2020/07.yaml';
const past = new Date(Date.now() - 60_000);
/** Same length, other bytes: not YAML a record can be read from. */
const garbled = (text: string) => `:${text.slice(1).replace(/[a-z]/g, '@')}`;
const numberOf = (loaded: ReturnType<typeof loadContent>) => loaded.content.items.find((i) => i.id === 'wuwei-2020-07')!.number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'content-cache-'));
  content = join(dir, 'content');
  cpSync('content', content, { recursive: true });
  // Written a minute ago: old enough for its time to tell.
  const age = (at: string) => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, e.name);
      if (e.isDirectory()) age(path);
      else utimesSync(path, past, past);
    }
  };
  age(content);
  process.env.CONTENT_CACHE_DIR = join(dir, 'cache');
});
afterEach(() => {
  delete process.env.CONTENT_CACHE_DIR;
  delete process.env.CONTENT_CACHE;
  rmSync(dir, { recursive: true, force: true });
});

describe('the parse cache', () => {
  it('gives the same content as parsing, and does not parse a file whose size and time are unchanged', () => {
    const first = loadContent(content);
    expect(first.problems).toEqual([]);
    expect(readdirSync(join(dir, 'cache'))).toHaveLength(1);
    const again = loadContent(content);
    expect(again.content).toEqual(first.content);
    expect([...again.origins]).toEqual([...first.origins]);
    // Other bytes under the same size and time: taken from the cache, so not parsed (not seen as broken).
    const file = join(content, FILE);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, garbled(text));
    utimesSync(file, past, past);
    expect(Buffer.byteLength(garbled(text))).toBe(Buffer.byteLength(text));
    expect(loadContent(content).problems).toEqual([]);
    // The same folder by a relative name: the same cache.
    expect(loadContent(relative(process.cwd(), content)).problems).toEqual([]);
  });

  it('parses a changed file again, and never caches one with problems', () => {
    loadContent(content);
    const file = join(content, FILE);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('number: 7', 'number: 77'));
    expect(numberOf(loadContent(content))).toBe(77);
    writeFileSync(file, text.replace('number: 7', 'number: 七'));
    for (let k = 0; k < 2; k++) expect(loadContent(content).problems).toEqual([expect.objectContaining({ field: 'number' })]);
    writeFileSync(file, text);
    expect(numberOf(loadContent(content))).toBe(7);
  });

  it('compares the bytes of a file changed too soon after it was parsed for its time to tell', () => {
    const file = join(content, FILE);
    const text = readFileSync(file, 'utf8');
    const now = new Date();
    utimesSync(file, now, now);
    loadContent(content);
    // Same size and the same time, other bytes: a coarse clock would not tell them apart.
    writeFileSync(file, garbled(text));
    utimesSync(file, now, now);
    expect(loadContent(content).problems).toEqual([expect.objectContaining({ file: expect.stringContaining('07.yaml') })]);
  });

  it('parses everything with CONTENT_CACHE=off', () => {
    loadContent(content);
    const file = join(content, FILE);
    writeFileSync(file, garbled(readFileSync(file, 'utf8')));
    utimesSync(file, past, past);
    process.env.CONTENT_CACHE = 'off';
    expect(loadContent(content).problems).not.toEqual([]);
  });
});
