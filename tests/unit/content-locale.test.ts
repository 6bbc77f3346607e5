/**
 * The content loader (src/content/load.ts: the build, `npm run check:content`, the importer)
 * configures zod's Chinese messages itself: a wrong type in a content file, whose message the
 * schemas do not write, is reported in Chinese.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadContent } from '../../src/content/load.ts';

const CHINESE = /[\u4e00-\u9fff]/;
const dir = mkdtempSync(join(tmpdir(), 'content-locale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the content loader', () => {
  it('reports zod’s own messages in Chinese, from a process that started in English', () => {
    cpSync('content', dir, { recursive: true });
    const file = join(dir, 'items/wuwei-2020/07.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('number: 7');
    writeFileSync(file, text.replace('number: 7', 'number: 七'));
    z.config(z.locales.en());
    expect(z.number().safeParse('七').error!.issues[0]!.message).not.toMatch(CHINESE);

    const { problems } = loadContent(dir, dir);
    expect(problems).toEqual([expect.objectContaining({ field: 'number', message: expect.stringMatching(CHINESE) })]);
  });
});
