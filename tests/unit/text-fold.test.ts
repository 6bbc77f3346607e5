/**
 * The one set of folding rules (src/text/fold.ts) is what the importer and search both apply: a
 * document the importer reads and a query a reader types fold alike.
 */
import { describe, expect, it } from 'vitest';
import { foldLine } from '../../src/import/normalize.ts';
import { foldText } from '../../src/search/text.ts';
import { isTraditional, pinyinArtefactSpans, toSimplifiedChar } from '../../src/text/fold.ts';

describe('text folding shared by the importer and search', () => {
  it('folds Traditional to Simplified alike on both sides, 著 included', () => {
    for (const text of ['意味著整改到位', '汙水處理廠', '碳化矽', '甘肅省住房和城鄉建設廳']) {
      const imported = foldLine(text, 1).fold;
      expect(foldText(imported), text).toBe(foldText(text));
      expect([...imported].every((ch) => toSimplifiedChar(ch) === ch), text).toBe(true);
    }
    expect(foldLine('意味著', 1).fold).toBe('意味着');
  });

  it('drops the same pinyin conversion artefacts on both sides, and keeps bracketed labels', () => {
    for (const text of ['環(huán)境問(wèn)題', '污（wū）染', '好的(de)']) {
      expect(foldText(foldLine(text, 1).fold), text).toBe(foldText(text));
      expect(pinyinArtefactSpans(text).length, text).toBeGreaterThan(0);
    }
    // A list label or an untoned Latin word in brackets is text, not a conversion flaw.
    for (const text of ['第(a)项', '细颗粒物(PM2.5)', '标准(an)']) {
      expect(pinyinArtefactSpans(text), text).toEqual([]);
      expect(foldLine(text, 1).fold, text).toContain('(');
    }
  });

  it('tells a Traditional text from a Simplified one that has a variant or two', () => {
    expect(isTraditional('甘肅省住房和城鄉建設廳關於清潔取暖工作的通知')).toBe(true);
    expect(isTraditional('甘肃省住房和城乡建设厅关于清洁取暖工作的通知，意味着显著改善')).toBe(false);
    expect(isTraditional('显著')).toBe(false);
    expect(isTraditional('PM2.5')).toBe(false);
  });
});
