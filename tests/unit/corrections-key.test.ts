/**
 * A page's incremental-build key carries the corrections it shows: a correction decided after the
 * content was fixed must re-render that page (and only it) at the next build.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'corrections-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// CORRECTIONS_FILE is set per case (vitest's env stub); undone after each, even one that fails.
afterEach(() => vi.unstubAllEnvs());

async function keysWith(corrections: unknown[]) {
  const file = join(dir, `c-${Math.random()}.json`);
  writeFileSync(file, JSON.stringify({ generatedAt: '2026-12-01T00:00:00.000Z', corrections }));
  vi.resetModules();
  vi.stubEnv('CORRECTIONS_FILE', file);
  const { withCorrections } = await import('../../src/site/page-keys.ts');
  return { item: withCorrections('k', '/items/wuwei-2020-10/'), other: withCorrections('k', '/items/wuwei-2020-11/') };
}

const C = { reference: 'E2026-000001', page: '/items/wuwei-2020-10/', resolvedAt: '2026-11-23T04:00:00.000Z', resolution: '已将整改时限更正为2021年12月31日。', source: '武办字〔2020〕47号' };

describe('withCorrections', () => {
  it('changes the key of the corrected page only, and again with each new correction', async () => {
    const none = await keysWith([]);
    expect(none).toEqual({ item: 'k', other: 'k' });
    const one = await keysWith([C]);
    expect(one.item).not.toBe('k');
    expect(one.other).toBe('k');
    const two = await keysWith([C, { ...C, reference: 'E2026-000002', resolution: '已更正责任单位。' }]);
    expect(two.item).not.toBe(one.item);
  });
});
