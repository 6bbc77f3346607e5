/**
 * The Node runtime (functions/runtime/node.ts, what `npm start` and Astro's Node adapter run)
 * configures zod's Chinese messages itself: a message the intake schema does not write (a wrong
 * type) reaches the API in Chinese. Its reference data (regions, units, notice windows) is the
 * build's output, as on Workers, not the content read again. The runtime runs on a data folder of
 * its own in a temporary folder, as DATA_DIR names it, and on a copy of the build's data files.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { PortalRuntime } from '../../functions/runtime/types.ts';

// The data folder is read when functions/local.ts is first imported: named before any import.
const dir = await vi.hoisted(async () => {
  const [{ mkdtempSync }, { tmpdir }, { join }] = await Promise.all([import('node:fs'), import('node:os'), import('node:path')]);
  const path = mkdtempSync(join(tmpdir(), 'portal-node-runtime-'));
  process.env.DATA_DIR = path;
  delete process.env.DATABASE_URL;
  // The build's reference data with fewer regions than the content has: what the runtime serves
  // tells which of the two it read.
  const { readFileSync, writeFileSync, mkdirSync, copyFileSync } = await import('node:fs');
  const built = join(path, 'client');
  mkdirSync(join(built, 'data'), { recursive: true });
  const reference = JSON.parse(readFileSync('dist/client/data/reference.json', 'utf8')) as { regions: { id: string }[] };
  reference.regions = reference.regions.filter((r) => ['china', 'gansu', 'gansu-wuwei', 'gansu-wuwei-liangzhou'].includes(r.id));
  writeFileSync(join(built, 'data', 'reference.json'), JSON.stringify(reference));
  copyFileSync('dist/client/data/search-labels.json', join(built, 'data', 'search-labels.json'));
  process.env.DIST_DIR = built;
  return path;
});

/** A body whose phone is a number: the schema names no message for a wrong type, so zod's own is used. */
const WRONG_TYPE = {
  pollutionTypes: ['大气'], region: 'gansu-wuwei-liangzhou', address: '凉州区某工业园区东侧', observedAt: '2026-11-20',
  description: '夜间工厂烟囱冒黑烟，气味刺鼻。', anonymous: false, name: '张三', phone: 13912345678, consentPublish: true,
};
const typeMessage = () => z.string().safeParse(13912345678).error!.issues[0]!.message;
const CHINESE = /[\u4e00-\u9fff]/;

let runtime: PortalRuntime;
let englishMessage: string;
/** Right after the import, before the runtime loads the content (whose loader sets Chinese too). */
let importedMessage: string;

beforeAll(async () => {
  // As a fresh process starts: zod's defaults, in English.
  z.config(z.locales.en());
  englishMessage = typeMessage();
  const module = await import('../../functions/runtime/node.ts');
  importedMessage = typeMessage();
  runtime = await module.portalRuntime();
});

afterAll(() => {
  runtime?.db?.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Node runtime', () => {
  it('takes its reference data from the build’s output (dist/client/data/reference.json)', async () => {
    const doc = (await (await runtime.app.request('/api/openapi.json')).json()) as { components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> } };
    const regions = Object.values(doc.components.schemas).flatMap((schema) => schema.properties?.region?.enum ?? []);
    expect(regions).toContain('gansu-wuwei-liangzhou');
    // In the content, left out of the build's copy here.
    expect(regions).not.toContain('gansu-lanzhou');
  });

  it('starts from zod’s English here, so that the checks below can fail', () => {
    expect(englishMessage).not.toMatch(CHINESE);
  });

  it('sets Chinese when it is imported', () => {
    expect(importedMessage).toMatch(CHINESE);
  });

  it('answers a wrong type in the intake API with zod’s message in Chinese', async () => {
    const res = await runtime.app.request(
      '/api/complaints',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(WRONG_TYPE) },
      { peer: '192.0.2.10' },
    );
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(error.fields)).toEqual(['phone']);
    expect(error.fields.phone).toMatch(CHINESE);
    expect(error.fields.phone).not.toBe(englishMessage);
  });
});
