/**
 * Search over the built site's Pagefind index, for when the search API cannot
 * be reached (static hosting, the API down, offline copies of the site).
 *
 * Pagefind keeps its own Chinese segmentation, but on its own it would differ
 * from the API in two ways this module evens out, so that both paths find the
 * same records:
 * - Script: Pagefind matches characters as written. The query is searched as
 *   typed, folded to Simplified (the same `foldText` the API uses) and that
 *   fold written in Traditional, and the results are merged, so 汙水處理廠
 *   finds pages printed in Simplified and 清洁取暖 finds pages in Traditional.
 * - Phrases: Pagefind segments 污水处理厂 into words and accepts pages that
 *   have them anywhere. The API matches the phrase, so results here are kept
 *   only when the page's folded text contains every term of the query.
 * - Document numbers: the API reads 武办字[2020]47号 as 武办字〔2020〕47号
 *   (`tokenize.ts`); here the brackets around a year are written as 〔〕 in
 *   the query and in the page text before comparing.
 * Framework-free: the browser passes the Pagefind module it loaded, tests pass
 * the same index loaded in Node.
 */
import * as OpenCC from 'opencc-js/core';
import STCharacters from 'opencc-js/dict/STCharacters';
import { foldText } from './text.ts';

/** The part of Pagefind's browser API used here. */
export interface PagefindLike {
  search(query: string): Promise<{ results: PagefindResultLike[] } | null>;
}

export interface PagefindResultLike {
  id: string;
  score: number;
  data(): Promise<{ url: string; excerpt: string; content: string; meta: { title?: string; plan?: string } }>;
}

export interface StaticHit {
  url: string;
  title: string;
  /**
   * The plan of an item page (Pagefind metadata `plan`, from the page's breadcrumb), to name the
   * result as the API does (`SearchHit.plan`).
   */
  plan?: string;
  /** Pagefind's excerpt: escaped text with <mark> around the words it matched. */
  excerptHtml: string;
}

/** Pages whose text is read to check the phrase: beyond this a query should be narrowed. */
export const MAX_STATIC_CANDIDATES = 200;

/**
 * Simplified → Traditional, character by character (OpenCC's character table
 * only, about 20 KB compressed instead of 450 KB with its phrase tables).
 * Where one Simplified character has several Traditional forms (发 → 發/髮),
 * OpenCC's first, most common form is taken; this only widens a search.
 */
const toTraditionalChars = OpenCC.ConverterFactory([[STCharacters]]);

/** A year in any brackets (after folding: ［ is [, （ is (), as documents print it: 〔2020〕. */
const YEAR_IN_BRACKETS = /[〔[(【〖〘⦅](\d{4})[〕\])】〗〙⦆]/g;
const printedBrackets = (folded: string) => folded.replace(YEAR_IN_BRACKETS, '〔$1〕');

/** The spellings of a query searched in Pagefind: as typed, folded, and the fold in Traditional. */
export function queryVariants(q: string): string[] {
  const typed = q.trim().replace(/\s+/g, ' ');
  const folded = printedBrackets(foldText(typed));
  return [...new Set([typed, folded, toTraditionalChars(folded)])].filter(Boolean);
}

/** The query's terms as the API matches them: whitespace-separated, each one folded. */
export function queryTerms(q: string): string[] {
  return [...new Set(printedBrackets(foldText(q)).split(/\s+/).filter(Boolean))];
}

/**
 * Searches the Pagefind index with every spelling of `q`, keeps the pages
 * whose text holds every term, best Pagefind score first.
 */
export async function staticSearch(pagefind: PagefindLike, q: string, limit = MAX_STATIC_CANDIDATES): Promise<{ hits: StaticHit[]; truncated: boolean }> {
  const best = new Map<string, PagefindResultLike>();
  for (const variant of queryVariants(q)) {
    const found = await pagefind.search(variant);
    for (const r of found?.results ?? []) {
      const seen = best.get(r.id);
      if (!seen || r.score > seen.score) best.set(r.id, r);
    }
  }
  const candidates = [...best.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const terms = queryTerms(q);
  const pages = await Promise.all(candidates.slice(0, limit).map((r) => r.data()));
  const hits = pages
    .filter((page) => {
      const text = printedBrackets(foldText(page.content));
      return terms.every((t) => text.includes(t));
    })
    .map((page) => ({ url: page.url, title: page.meta.title ?? page.url, ...(page.meta.plan ? { plan: page.meta.plan } : {}), excerptHtml: page.excerpt }));
  return { hits, truncated: candidates.length > limit };
}
