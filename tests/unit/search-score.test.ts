/**
 * BM25 worked out outside FTS5 (`src/search/score.ts`): phrase counts on the stored text agree with
 * the token stream FTS5 indexed, whatever the script, width, line breaks or conversion artefacts of
 * the text; FTS5's records of row counts and lengths are read as FTS5 writes them.
 */
import * as OpenCC from 'opencc-js/t2cn';
import { describe, expect, it } from 'vitest';
import { getPortal } from '../../src/content/portal.ts';
import { contentDocuments } from '../../src/search/content-docs.ts';
import { counter, docLength, idf, indexTotals } from '../../src/search/score.ts';
import { foldText, toSimplified } from '../../src/search/text.ts';
import { charTokens, gramTokens, parseQuery } from '../../src/search/tokenize.ts';

/** The phrase's instances in the token stream FTS5 stores for the text (the reference). */
function streamCount(text: string, tokens: readonly string[]): number {
  const stream = gramTokens(foldText(text)).map((t) => t.text);
  let n = 0;
  for (let i = 0; i + tokens.length <= stream.length; i++) if (tokens.every((t, k) => stream[i + k] === t)) n++;
  return n;
}
const charCount = (text: string, c: string) => charTokens(foldText(text)).filter((t) => t.text === c).length;

const texts = contentDocuments(getPortal()).flatMap((d) => [d.title, ...d.fields.map((f) => f.text)]);
const TRICKY = [
  '汙水處理廠的污水处理厂，污水\n处理厂',
  '環(huán)境污水；污(wū)水',
  '㈠污水　㊀汙水 ＰＭ２．５ PM2.5 pm10',
  '武办字〔2020〕47号 与 武办字[2020]47号、武办字（2020）47号',
  '整改整改整改，乾燥的干燥剂，什么么',
  '〸〹 十 廿 碳化矽 碳化硅 一级Ａ 10蒸吨',
];
const QUERIES = ['污水', '污水处理厂', '整改', '整改整改', 'PM2.5', 'pm', '一级A', '10蒸吨', '武办字〔2020〕47号', '碳化硅', '环境', '干燥', '十', '么', '煤'];

describe('phrase counts on stored text', () => {
  it('equal the instances in the indexed token stream, for every query over the real content and odd texts', () => {
    let compared = 0;
    for (const q of QUERIES) {
      const r = parseQuery(q);
      if (!r.ok) throw new Error(q);
      for (const tokens of r.query.phrases) {
        const count = counter({ columns: ['title'], tokens });
        for (const t of [...texts, ...TRICKY]) {
          expect(count(t), `${q} in ${t.slice(0, 30)}`).toBe(streamCount(t, tokens));
          compared++;
        }
      }
      for (const c of r.query.chars.flat()) {
        const count = counter({ columns: ['chars'], tokens: [c] });
        for (const t of [...texts, ...TRICKY]) expect(count(t), `${c} in ${t.slice(0, 30)}`).toBe(charCount(t, c));
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it('find a phrase written across a line break, in Traditional, full width or with a pinyin artefact', () => {
    const count = counter({ columns: ['title'], tokens: ['污水', '水处', '处理', '理厂'] });
    expect(count(TRICKY[0]!)).toBe(3);
    expect(counter({ columns: ['title'], tokens: ['环境'] })('環(huán)境')).toBe(1);
    expect(counter({ columns: ['title'], tokens: ['pm', '2.5'] })(TRICKY[2]!)).toBe(2);
  });
});

describe('the skip of plain Simplified text in conversion', () => {
  it('converts every dictionary entry, alone and inside Simplified text, exactly as the converter does', () => {
    const convert = OpenCC.Converter({ from: 'tw', to: 'cn' });
    const keys = [...(OpenCC.Locale.from.tw ?? []), ...(OpenCC.Locale.to.cn ?? [])].flat().flatMap((d) => String(d).split('|').map((e) => e.split(' ')[0]!));
    expect(keys.length).toBeGreaterThan(1000);
    for (const k of keys) {
      for (const t of [k, `污水处理${k}整改`]) expect(toSimplified(t), t).toBe(convert(t).replace(/矽/g, '硅'));
    }
  });

  it('converts exactly as the full conversion does', () => {
    // toSimplified skips text with no character a dictionary entry changes; the real texts and a
    // Traditional one come out as the converter makes them.
    expect(toSimplified('汙水處理廠')).toBe('污水处理厂');
    expect(toSimplified('污水处理厂')).toBe('污水处理厂');
    expect(toSimplified('碳化矽')).toBe('碳化硅');
  });
});

describe("FTS5's records", () => {
  it('read the averages record and a row size (SQLite varints)', () => {
    // 3 rows; column totals 100, 200 (two bytes: 0x81 0x48), 0.
    expect(indexTotals(new Uint8Array([3, 100, 0x81, 0x48, 0]))).toEqual({ rows: 3, avgdl: 100 });
    expect(docLength(new Uint8Array([5, 0x81, 0x00, 7]))).toBe(5 + 128 + 7);
    expect(indexTotals(null)).toEqual({ rows: 0, avgdl: 0 });
  });

  it('IDF as FTS5 computes it, never below 1e-6', () => {
    expect(idf(1, 100)).toBeCloseTo(Math.log(99.5 / 1.5), 12);
    expect(idf(90, 100)).toBe(1e-6);
  });
});
