/**
 * How alike two Chinese texts are, for suggestions (which rectification items a complaint may
 * concern): the cosine of their sets of character bigrams, after the search's folding (Traditional
 * to Simplified, width), so 污水處理 and 污水处理 are alike. 0 (nothing shared) to 1 (the same
 * bigrams). Short and order-free on purpose: a resident's words and a plan's are rarely the same
 * phrases, but they share the place and the pollution's words (河道, 排污, 黑烟).
 */
import { foldText } from '../search/text.ts';
import { isHan } from './fold.ts';

/** The Han and alphanumeric character bigrams of a text, folded. */
export function bigramsOf(text: string): Set<string> {
  const out = new Set<string>();
  // Runs of Han characters, letters or digits; punctuation and spaces break them.
  for (const run of foldText(text).match(/[\p{Script=Han}\p{L}\p{N}]+/gu) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) if (isHan(chars[i]!) || isHan(chars[i + 1]!)) out.add(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/** Cosine similarity of two bigram sets. */
export function bigramSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const x of a.size < b.size ? a : b) if ((a.size < b.size ? b : a).has(x)) shared++;
  return shared / Math.sqrt(a.size * b.size);
}
