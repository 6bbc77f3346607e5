/**
 * Radical and compatibility code points that PDF text layers put where the
 * page shows an ordinary character. CJK fonts draw 见 and the radical ⻅ with
 * one glyph, and a PDF's character map (ToUnicode) may name the glyph by the
 * radical — Chromium printing with Noto CJK does, as do many office tools —
 * so the extracted text reads "意⻅" for the 意见 on the page. The published
 * text is what the page shows: these are mapped back to the unified
 * ideographs (Kangxi radicals and compatibility ideographs by Unicode's own
 * normalisation, the radicals supplement by Unicode's
 * EquivalentUnifiedIdeograph data, for the radicals that stand for a whole
 * character). 〈 〉 (U+2329/232A) become the CJK brackets they are
 * canonically equal to. A glyph a font shares between two different
 * characters (户 and 戶 in Noto CJK) cannot be told apart: the PDF names one,
 * and the dry run shows the difference.
 */

const SUPPLEMENT: Record<string, string> = {
  '⺟': '母', '⺠': '民', '⺩': '王', '⺝': '月', '⻄': '西', '⻅': '见', '⻆': '角', '⻉': '贝', '⻋': '车',
  '⻑': '長', '⻓': '长', '⻔': '门', '⻗': '雨', '⻘': '青', '⻙': '韦', '⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食',
  '⻢': '马', '⻣': '骨', '⻤': '鬼', '⻥': '鱼', '⻦': '鸟', '⻧': '卤', '⻨': '麦', '⻩': '黄', '⻪': '黾', '⻬': '齐',
  '⻮': '齿', '⻰': '龙', '⻳': '龟',
};

const COMPAT = /[\u2329\u232a\u2e80-\u2ef3\u2f00-\u2fd5\uf900-\ufaff]/g;

/** The text with radicals and compatibility ideographs replaced by the characters they stand for. */
export function unifyIdeographs(text: string): string {
  return text.replace(COMPAT, (c) => SUPPLEMENT[c] ?? c.normalize('NFKC'));
}
