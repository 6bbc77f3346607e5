/**
 * Tokenization for SQLite FTS5 (`unicode61` tokenizer, `.` as a token
 * character): we split the text ourselves and hand FTS5 space-separated
 * tokens, because `unicode61` would make a whole run of Chinese one token and
 * `trigram` cannot match two-character words (see `shared/STACK-NOTES.md`).
 *
 * Index side (on folded text, see `text.ts`):
 * - A run of Han characters becomes its overlapping bigrams: 污水处理厂 →
 *   `污水 水处 处理 理厂`; a one-character run stays one token. A query is
 *   matched as a phrase of its bigrams, so 污水 finds 污水处理厂 but not
 *   污染水体 (no bigram 污水 there).
 * - Every Han character is also indexed alone, in a separate column (`chars`),
 *   so a one-character query (煤) can be answered without prefix scans.
 * - A run of letters and digits is split where letters meet digits, and a dot
 *   between two digits stays inside the number: `PM2.5` → `pm 2.5`, `PM10` →
 *   `pm 10`, `10蒸吨` → `10 蒸吨`, `一级A` → `一级 a`, `COD` → `cod`. Splitting
 *   lets `PM` alone find PM2.5 and PM10, while the phrase `pm 2.5` keeps
 *   `PM2.5` from matching `2.5万户` and `2.5` from matching `25`.
 * - Where punctuation separates two runs, or any space separates two Han runs,
 *   a gap token (U+E000, never produced from a query) is written, so a phrase
 *   cannot match across it: 污水,水处理 does not contain 污水处理.
 * - Except the brackets around the year of a document number: 武办字〔2020〕47号
 *   is one phrase (`武办 办字 2020 47 号`), so it is found as a whole however
 *   its brackets are typed (〔〕, [], （）, 【】, ［］ …), and 〔2020〕47号
 *   finds only numbers with 2020 right before 47.
 *
 * Query side: the query is folded the same way and split at white space and
 * punctuation; runs that touch (`一级A`, `10蒸吨`) form one phrase. Every
 * token is made only of letters, digits, Han and the dot, and every phrase is
 * quoted, so no input can produce FTS5 syntax: `"`, `*`, `(`, `:`, `^`, `-`,
 * `NEAR`, `AND`, `OR` are separators or plain words.
 */
import { foldText, foldWidth, foldWithMap, isHan } from './text.ts';

/** The gap token between runs that a phrase must not span. */
export const GAP = '\uE000';

/** FTS5 columns that hold bigram streams, by weight; `chars` holds single Han characters. */
export const GRAM_COLUMNS = ['title', 'problem', 'body'] as const;
/** The columns that say what a record is about (ranked first). */
export const HEAD_COLUMNS = ['title', 'problem'] as const;
export type GramColumn = (typeof GRAM_COLUMNS)[number];

/** Longest query accepted, in characters (a long sentence; more is a pasted document). */
export const MAX_QUERY_LENGTH = 100;
/** Most phrases and single characters a query may combine. */
export const MAX_QUERY_TERMS = 12;

/** A run of Han characters, or of letters and digits, in folded text. */
export interface Segment {
  kind: 'han' | 'word';
  text: string;
  /** UTF-16 offsets in the folded text. */
  start: number;
  end: number;
}

/** One token with its place in the folded text (a gap token has start = end = -1). */
export interface Token {
  text: string;
  start: number;
  end: number;
}

/**
 * A Han run, or a run of letters, digits and marks that are not Han, with a
 * dot kept inside a number (2.5, 107.28): a dot only joins a run between two
 * digits.
 */
const SEGMENT = /(\p{Script=Han}+)|(?:(?!\p{Script=Han})[\p{L}\p{N}\p{M}]|(?<=\p{Nd})\.(?=\p{Nd}))+/gu;

/** Splits folded text into Han runs and letter/digit runs; everything else separates them. */
export function segments(folded: string): Segment[] {
  const out: Segment[] = [];
  for (const m of folded.matchAll(SEGMENT)) {
    out.push({ kind: m[1] === undefined ? 'word' : 'han', text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Tokens of one letter/digit run: split where letters meet digits (`pm2.5` → `pm`, `2.5`). */
function wordTokens(seg: Segment): Token[] {
  const out: Token[] = [];
  const re = /[\p{Nd}.]+|[^\p{Nd}.]+/gu;
  for (const m of seg.text.matchAll(re)) {
    // A stray dot left at the edge of a number run is not part of a token.
    const text = m[0].replace(/^\.+|\.+$/g, '');
    if (!text) continue;
    const lead = m[0].indexOf(text);
    out.push({ text, start: seg.start + m.index + lead, end: seg.start + m.index + lead + text.length });
  }
  return out;
}

/** Code points of a Han run with their offsets. */
function hanChars(seg: Segment): Token[] {
  const out: Token[] = [];
  let at = seg.start;
  for (const ch of seg.text) {
    out.push({ text: ch, start: at, end: at + ch.length });
    at += ch.length;
  }
  return out;
}

/** Overlapping bigrams of a Han run; a one-character run is its own token. */
function hanBigrams(seg: Segment): Token[] {
  const chars = hanChars(seg);
  if (chars.length === 1) return chars;
  const out: Token[] = [];
  for (let k = 0; k + 1 < chars.length; k++) {
    out.push({ text: chars[k]!.text + chars[k + 1]!.text, start: chars[k]!.start, end: chars[k + 1]!.end });
  }
  return out;
}

/**
 * Brackets a document number's year is printed or typed in, after width
 * folding (［ and （ are [ and ( by then). Only a pair around exactly four
 * digits counts: 物(PM2.5) or （一） keep their gaps.
 */
const YEAR_OPEN = '〔[(【〖〘⦅';
const YEAR_CLOSE = '〕])】〗〙⦆';
const isYear = (s: Segment) => s.kind === 'word' && /^\p{Nd}{4}$/u.test(s.text);

/**
 * Whether segments `a` and `b` are read as one run: they touch, or a
 * bracket of a document number's year is all that stands between them
 * (`武办字〔2020` and `2020〕47`).
 */
function joined(folded: string, a: Segment, b: Segment): boolean {
  if (a.end === b.start) return true;
  if (b.start - a.end !== 1) return false;
  const between = folded[a.end]!;
  if (isYear(b) && YEAR_OPEN.includes(between)) return YEAR_CLOSE.includes(folded[b.end] ?? '');
  if (isYear(a) && YEAR_CLOSE.includes(between)) return YEAR_OPEN.includes(folded[a.start - 1] ?? '');
  return false;
}

/** Whether a phrase must not run from segment `a` into segment `b` (see the module comment). */
function isGap(folded: string, a: Segment, b: Segment): boolean {
  if (joined(folded, a, b)) return false;
  const between = folded.slice(a.end, b.start);
  return /\S/u.test(between) || (a.kind === 'han' && b.kind === 'han');
}

/** The bigram stream of folded text, with gap tokens, for the title/problem/body columns. */
export function gramTokens(folded: string): Token[] {
  const out: Token[] = [];
  const segs = segments(folded);
  segs.forEach((seg, k) => {
    if (k > 0 && isGap(folded, segs[k - 1]!, seg)) out.push({ text: GAP, start: -1, end: -1 });
    out.push(...(seg.kind === 'han' ? hanBigrams(seg) : wordTokens(seg)));
  });
  return out;
}

/** Every Han character of folded text, for the `chars` column. */
export function charTokens(folded: string): Token[] {
  return segments(folded)
    .filter((s) => s.kind === 'han')
    .flatMap(hanChars);
}

/**
 * The text FTS5 stores for a list of source texts (the fields of one column):
 * each text folded and tokenized, fields joined by a gap so that no phrase
 * spans two fields. Returns the bigram stream and the single characters.
 */
export function indexColumn(texts: readonly string[]): { grams: string; chars: string } {
  const grams: string[] = [];
  const chars: string[] = [];
  for (const text of texts) {
    const folded = foldText(text);
    const g = gramTokens(folded);
    if (!g.length) continue;
    if (grams.length) grams.push(GAP);
    for (const t of g) grams.push(t.text);
    for (const t of charTokens(folded)) chars.push(t.text);
  }
  return { grams: grams.join(' '), chars: chars.join(' ') };
}

/** What a query asks for: every phrase and every single character must occur (AND). */
export interface ParsedQuery {
  /** The query as typed, trimmed. */
  text: string;
  /** Phrases of tokens, matched in the title/problem/body columns. */
  phrases: string[][];
  /**
   * Single Han characters, matched in the `chars` column; each with its
   * alternatives (see `charAlternatives`).
   */
  chars: string[][];
  /** The FTS5 MATCH expression. */
  match: string;
  /**
   * The same query restricted to the title and problem columns, for ranking
   * records about the query above those that mention it in their body; absent
   * when the query has single characters (their column holds every field).
   */
  headMatch?: string;
}

export type QueryRejection = 'empty' | 'too_long' | 'no_terms' | 'too_many_terms';

export type QueryParse = { ok: true; query: ParsedQuery } | { ok: false; reason: QueryRejection; message: string };

const REJECTIONS: Record<QueryRejection, string> = {
  empty: '请输入搜索词。',
  too_long: `搜索词不能超过 ${MAX_QUERY_LENGTH} 个字。`,
  no_terms: '搜索词中没有可检索的文字（汉字、字母或数字）。',
  too_many_terms: `搜索词过多，请减少到 ${MAX_QUERY_TERMS} 个以内。`,
};

const quote = (tokens: readonly string[]) => `"${tokens.join(' ')}"`;

/** The FTS5 expression of one phrase in the given columns: `{title problem} : "污水 水处"`. */
export const phraseMatch = (tokens: readonly string[], columns: readonly string[]) => `{${columns.join(' ')}} : ${quote(tokens)}`;

/**
 * The forms a one-character query is looked up in. OpenCC converts some
 * characters by context: Simplified 什么 stays 什么, but 么 alone folds to 幺.
 * A character typed alone is therefore looked up both folded and as typed
 * (width-folded only), so 么 finds the 么 of 什么 and 麼 finds 什麼.
 */
function charAlternatives(folded: string, typed: string): string[] {
  return [...new Set([folded, foldWidth(typed)])].filter((c) => [...c].length === 1 && isHan(c));
}

/**
 * Turns what a user typed into a safe FTS5 MATCH expression, or a reason
 * (with a Chinese message) why it cannot be searched.
 */
export function parseQuery(input: string): QueryParse {
  const text = input.trim();
  const reject = (reason: QueryRejection): QueryParse => ({ ok: false, reason, message: REJECTIONS[reason] });
  if (!text) return reject('empty');
  if ([...text].length > MAX_QUERY_LENGTH) return reject('too_long');

  const { text: folded, start, end } = foldWithMap(text);
  const segs = segments(folded);
  // Groups: runs that touch each other, e.g. 一级 + a in 一级A, or joined by a year's brackets.
  const groups: Segment[][] = [];
  segs.forEach((seg, k) => {
    if (k > 0 && joined(folded, segs[k - 1]!, seg)) groups.at(-1)!.push(seg);
    else groups.push([seg]);
  });

  const phrases = new Map<string, string[]>();
  const chars = new Map<string, string[]>();
  for (const group of groups) {
    let phrase: string[] = [];
    const close = () => {
      if (phrase.length) phrases.set(phrase.join(' '), phrase);
      phrase = [];
    };
    for (const seg of group) {
      if (seg.kind === 'han' && [...seg.text].length === 1) {
        // One character is looked up alone: inside the document it is usually
        // part of a longer run, whose bigrams would not contain it as a token.
        close();
        chars.set(seg.text, charAlternatives(seg.text, text.slice(start[seg.start]!, end[seg.end - 1]!)));
      } else {
        phrase.push(...(seg.kind === 'han' ? hanBigrams(seg) : wordTokens(seg)).map((t) => t.text));
      }
    }
    close();
  }
  if (!phrases.size && !chars.size) return reject('no_terms');
  if (phrases.size + chars.size > MAX_QUERY_TERMS) return reject('too_many_terms');

  const inColumns = (columns: readonly string[]) => [...phrases.values()].map((p) => phraseMatch(p, columns));
  const conditions = [
    ...inColumns(GRAM_COLUMNS),
    ...[...chars.values()].map((alts) =>
      alts.length === 1 ? `{chars} : ${quote(alts)}` : `{chars} : (${alts.map((a) => quote([a])).join(' OR ')})`,
    ),
  ];
  const query: ParsedQuery = { text, phrases: [...phrases.values()], chars: [...chars.values()], match: conditions.join(' AND ') };
  if (!chars.size) query.headMatch = inColumns(HEAD_COLUMNS).join(' AND ');
  return { ok: true, query };
}

/**
 * Where the query matches in folded text, as merged [start, end) spans of
 * UTF-16 offsets: each phrase where its tokens occur consecutively in the
 * text's bigram stream (exactly as FTS5 matched it), each single character
 * wherever it occurs.
 */
export function matchSpans(folded: string, query: Pick<ParsedQuery, 'phrases' | 'chars'>): [number, number][] {
  const spans: [number, number][] = [];
  // A phrase can only occur where its first token does; most fields of a hit
  // hold none of the query, and tokenizing them would cost more than this check.
  const candidates = query.phrases.filter((p) => folded.includes(p[0]!));
  const chars = query.chars.flat().filter((c) => folded.includes(c));
  if (!candidates.length && !chars.length) return spans;
  if (candidates.length) {
    const stream = gramTokens(folded);
    for (const phrase of candidates) {
      for (let i = 0; i + phrase.length <= stream.length; i++) {
        let k = 0;
        while (k < phrase.length && stream[i + k]!.text === phrase[k]) k++;
        if (k === phrase.length) spans.push([stream[i]!.start, stream[i + phrase.length - 1]!.end]);
      }
    }
  }
  if (chars.length) {
    const wanted = new Set(chars);
    for (const t of charTokens(folded)) if (wanted.has(t.text)) spans.push([t.start, t.end]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}
