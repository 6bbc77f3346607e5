/**
 * BM25 as FTS5's `bm25()` computes it, worked out here for a window of candidate documents
 * instead of by FTS5. `bm25()` finds each phrase's document frequency (its IDF) by reading the
 * phrase's whole doclist once per query: at a million documents a common word's doclist is most
 * of the index, and every filter token is a phrase too. Here the candidates' term frequencies are
 * counted on their stored text, folded and tokenized as it was indexed (`tokenize.ts`), their
 * lengths read from FTS5's own record of them (`search_fts_docsize`), and the document frequency
 * counted up to a limit (see `DF_LIMIT`).
 *
 * FTS5's formula (fts5_aux.c): for each phrase, IDF = ln((N − n + 0.5) / (n + 0.5)), at least
 * 1e-6; the phrase's frequency f in a row is the sum of the column weights over its instances;
 * score = −Σ IDF · f · (k1 + 1) / (f + k1 · (1 − b + b · D / avgdl)), with k1 = 1.2, b = 0.75, D
 * the row's tokens in all columns and avgdl the index's mean. Lower is better.
 */
import { PINYIN_ARTEFACT, conversionSources } from '../text/fold.ts';
import { foldText, foldWidth, toSimplified } from './text.ts';
import { gramTokens, type GramColumn } from './tokenize.ts';

const K1 = 1.2;
const B = 0.75;

/** Columns a phrase is counted in: the bigram columns, or `chars` (single Han characters of every field). */
export type ScoredColumn = GramColumn | 'chars';

/** One phrase of a ranking tier's expression that can score (filter tokens weigh 0 and are left out). */
export interface ScoredPhrase {
  /** The FTS5 expression of the phrase alone, in its columns: its matches give its document frequency. */
  match: string;
  columns: readonly ScoredColumn[];
  /** Its tokens (one Han character in `chars`). */
  tokens: readonly string[];
}

/** A candidate's text as indexed: the title, its problem fields and its body fields, verbatim. */
export interface ColumnTexts {
  title: readonly string[];
  problem: readonly string[];
  body: readonly string[];
}

/** What the index says of all its rows: how many, and their mean length in tokens. */
export interface IndexTotals {
  rows: number;
  avgdl: number;
}

/** An SQLite varint (big-endian, 7 bits a byte, the ninth byte whole) at `at`: its value and the offset after it. */
function varint(buf: Uint8Array, at: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[at + i]!;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) return [v, at + i + 1];
  }
  return [v * 256 + buf[at + 8]!, at + 9];
}

const bytes = (blob: unknown): Uint8Array =>
  blob instanceof Uint8Array ? blob : blob instanceof ArrayBuffer ? new Uint8Array(blob) : new Uint8Array(0);

/** FTS5's averages record (`%_data` row 1): the number of rows, then each column's total tokens. */
export function indexTotals(blob: unknown): IndexTotals {
  const buf = bytes(blob);
  if (!buf.length) return { rows: 0, avgdl: 0 };
  let [rows, at] = varint(buf, 0);
  let tokens = 0;
  while (at < buf.length) {
    let n: number;
    [n, at] = varint(buf, at);
    tokens += n;
  }
  return { rows, avgdl: rows ? tokens / rows : 0 };
}

/** A row's length in tokens, all columns, from its `%_docsize` record (one varint per column). */
export function docLength(blob: unknown): number {
  const buf = bytes(blob);
  let total = 0;
  for (let at = 0; at < buf.length; ) {
    let n: number;
    [n, at] = varint(buf, at);
    total += n;
  }
  return total;
}

/** IDF of a phrase found in `n` of `rows` documents, as FTS5 computes it. */
export function idf(n: number, rows: number): number {
  const v = Math.log((rows - n + 0.5) / (n + 0.5));
  return v <= 0 ? 1e-6 : v;
}

/**
 * Characters after which a text needs the whole fold before its Han characters can be compared:
 * line breaks (joined between Han), and everything outside ASCII, Latin-1, general punctuation,
 * CJK punctuation, CJK Unified Ideographs and full-width forms, some of which fold to Han (①, ㈠,
 * 〸, compatibility ideographs). Within those ranges width folding never makes or removes a Han
 * character, so only a Traditional character or a pinyin artefact can change the Han of such text.
 */
const NEEDS_FOLD = /[^\t\x20-\x7e\u00a0-\u00ff\u2000-\u2027\u202a-\u206f\u3000-\u3037\u303b-\u303f\u4e00-\u9fff\uff00-\uffef]/u;

function hasPinyinArtefact(text: string): boolean {
  if (!text.includes('(') && !text.includes('（')) return false;
  PINYIN_ARTEFACT.lastIndex = 0;
  return PINYIN_ARTEFACT.test(text);
}

/** The text folded as indexed (`foldText`), the cheaper way where the steps it skips change nothing. */
function folded(text: string): string {
  return NEEDS_FOLD.test(text) || hasPinyinArtefact(text) ? foldText(text) : toSimplified(foldWidth(text));
}

const HAN_RUN = /\p{Script=Han}+/gu;

/** Occurrences of `needle` in `hay`, overlapping ones included. */
function occurrences(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) n++;
  return n;
}

/** Whether the stored-text scorer counts a phrase as a substring (cheap) rather than on the token stream (see `counter`). */
export const countedAsSubstring = (phrase: Pick<ScoredPhrase, 'columns' | 'tokens'>) => phrase.columns[0] === 'chars' || hanRun(phrase.tokens) !== undefined;

/** The phrase as one string of Han characters when it is the bigrams of one Han run (`污水 水处 处理` → 污水处理), else undefined. */
function hanRun(tokens: readonly string[]): string | undefined {
  let run = '';
  for (const [i, t] of tokens.entries()) {
    const cs = [...t];
    if (cs.length !== 2 || !/^\p{Script=Han}+$/u.test(t)) return undefined;
    if (i === 0) run = t;
    else if ([...run].at(-1) !== cs[0]) return undefined;
    else run += cs[1];
  }
  return run || undefined;
}

/**
 * How a phrase is counted in one text. A Han run (every 2-character query, most longer ones) or a
 * single character: as a substring of the text's Han, which is where its bigrams follow each
 * other in the token stream. Anything else (Latin and digits, a document number): in the token
 * stream itself, exactly as FTS5 matched it.
 */
export function counter(phrase: Pick<ScoredPhrase, 'columns' | 'tokens'>): (text: string) => number {
  const han = phrase.columns[0] === 'chars' ? phrase.tokens[0]! : hanRun(phrase.tokens);
  if (han) {
    // A text with no character that folds into one of the phrase's (nor one of them that folding
    // may change), none outside the plain ranges and no pinyin artefact has the Han it is indexed
    // with: counted as it is, without folding (most texts).
    const affecting = [...han].flatMap((c) => [...conversionSources(c)]).map((c) => c.replace(/[\\\]^-]/g, '\\$&'));
    if (!affecting.length) return (text) => occurrences(NEEDS_FOLD.test(text) || hasPinyinArtefact(text) ? foldText(text) : text, han);
    const converts = new RegExp(`[${affecting.join('')}]`, 'u');
    return (text) => {
      if (NEEDS_FOLD.test(text) || hasPinyinArtefact(text)) return occurrences(foldText(text), han);
      if (!converts.test(text)) return occurrences(text, han);
      // Every dictionary entry is Han only, so conversion works run by run: only the Han runs
      // holding such a character are converted (a Traditional text holds many runs).
      let n = 0;
      for (const [run] of text.matchAll(HAN_RUN)) n += occurrences(converts.test(run) ? toSimplified(run) : run, han);
      return n;
    };
  }
  const first = phrase.tokens[0]!;
  // A text can only hold the phrase if it holds each of its characters in some form: as itself,
  // a character that folds into it (upper case, full width, ², a Traditional form), or a character
  // outside the plain ranges. Most texts lack one (a Latin letter, usually: tested first), and are
  // not folded.
  const holdsChar = (ch: string) => {
    const forms = new Set([ch, ch.toUpperCase(), ...conversionSources(ch)]);
    for (let cp = 0xa0; cp <= 0xff; cp++) if (foldWidth(String.fromCodePoint(cp)).includes(ch)) forms.add(String.fromCodePoint(cp));
    for (const c of [...forms]) if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) > 0x20) forms.add(String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    return new RegExp(`[${[...forms].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]|${NEEDS_FOLD.source}`, 'u');
  };
  const chars = [...new Set([...phrase.tokens.join('')])].sort((a, b) => Number(/\p{Script=Han}/u.test(a)) - Number(/\p{Script=Han}/u.test(b)));
  const tests = chars.map(holdsChar);
  const holds = { test: (text: string) => tests.every((t) => t.test(text)) };
  return (text) => {
    if (!holds.test(text)) return 0;
    const f = folded(text);
    if (!f.includes(first)) return 0;
    const stream = gramTokens(f);
    let n = 0;
    for (let i = 0; i + phrase.tokens.length <= stream.length; i++) {
      let k = 0;
      while (k < phrase.tokens.length && stream[i + k]!.text === phrase.tokens[k]) k++;
      if (k === phrase.tokens.length) n++;
    }
    return n;
  };
}

/** Scores candidates of one tier; build once per query and tier, then call per candidate. */
export function bm25Scorer(phrases: readonly ScoredPhrase[], frequencies: readonly number[], totals: IndexTotals, weights: Readonly<Record<ScoredColumn, number>>) {
  const parts = phrases.map((p, i) => ({ columns: p.columns, count: counter(p), idf: idf(frequencies[i]!, totals.rows) }));
  return (texts: ColumnTexts, length: number): number => {
    const norm = K1 * (1 - B + (B * length) / totals.avgdl);
    let score = 0;
    for (const part of parts) {
      let f = 0;
      for (const col of part.columns) {
        const w = weights[col];
        if (!w) continue;
        const list = col === 'chars' ? [...texts.title, ...texts.problem, ...texts.body] : texts[col];
        for (const t of list) f += w * part.count(t);
      }
      if (f) score += (part.idf * f * (K1 + 1)) / (f + norm);
    }
    return -score;
  };
}
