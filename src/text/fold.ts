/**
 * The one place that decides which spellings of Chinese text count as the same: the importer
 * (recognising labels and numbering in published documents, src/import/normalize.ts) and search
 * (index and query, src/search/text.ts) both fold with these rules, so a document the importer
 * reads and a query a reader types agree on script, width and conversion flaws. Framework-free;
 * runs in Node, Workers and the browser (the static search fallback).
 *
 * - **Script**: Traditional → Simplified with OpenCC's `tw` character preset, one character for
 *   one character (the phrase presets rewrite vocabulary and change lengths, which would break
 *   the maps back to the original text both users keep). `tw` was chosen by folding the seed
 *   documents with `t`, `tw` and `hk`: they agree except on 著, which only `tw` folds to 着
 *   (Traditional 意味著 = Simplified 意味着; Simplified 显著 becomes 显着 too, harmlessly, as both
 *   sides fold alike).
 * - **Pinyin conversion artefacts**: a faulty conversion left a tone-marked syllable in brackets
 *   after characters (`環(huán)境`, see shared/seeds/README.md); such a bracket is dropped.
 * - **Width**: full-width and compatibility forms fold to their plain forms.
 *
 * The text shown is never folded: folding is for matching only.
 */
import * as OpenCC from 'opencc-js/t2cn';

const HAN = /\p{Script=Han}/u;

/** True for a Han (Chinese) character, including the compatibility and extension blocks. */
export function isHan(ch: string): boolean {
  return HAN.test(ch);
}

// ---------------------------------------------------------------------------
// Script
// ---------------------------------------------------------------------------

const toSimplifiedChars = OpenCC.Converter({ from: 'tw', to: 'cn' });

/**
 * Variants the character presets leave apart although mainland text writes them one way:
 * Taiwan's 矽 is the mainland's 硅 (碳化矽 = 碳化硅). Only one-to-one character pairs belong here.
 */
const EXTRA_FOLDS: Readonly<Record<string, string>> = { 矽: '硅' };

/**
 * What a conversion can change: the characters of every one-character dictionary entry of the
 * preset that changes its character (and the extra folds), and the longer entries that change
 * their text without holding any of those characters. A text with neither comes out of every
 * entry as it went in (an entry that matches it, matches it whole and gives it back unchanged),
 * so it is returned as it is, without the dictionary walk: most Simplified text, at a fraction
 * of the cost. Built on first use.
 */
let convertible: { chars: RegExp; phraseStarts: RegExp; phrases: RegExp; sources: Map<string, Set<string>> } | undefined;
function mayConvert(text: string): boolean {
  if (!convertible) {
    const chars = new Set<string>(Object.keys(EXTRA_FOLDS));
    const phrases: string[] = [];
    // For conversionSources: what each character may come from, one entry at a time.
    const direct = new Map<string, Set<string>>();
    const changed = new Set<string>(Object.keys(EXTRA_FOLDS));
    const from = (to: string) => direct.get(to) ?? direct.set(to, new Set()).get(to)!;
    for (const [a, b] of Object.entries(EXTRA_FOLDS)) from(b).add(a);
    const dicts = [...(OpenCC.Locale.from.tw ?? []), ...(OpenCC.Locale.to.cn ?? [])].flat() as unknown as (string | string[][])[];
    for (const dict of dicts) {
      for (const [key = '', value = ''] of typeof dict === 'string' ? dict.split('|').map((e) => e.split(' ')) : dict) {
        if (key === value) continue;
        const [k, v] = [[...key], [...value]];
        if (k.length === 1) chars.add(key);
        else phrases.push(key);
        // Same length: each changed character comes from the one it replaces; otherwise from any.
        v.forEach((c, i) => {
          if (k.length !== v.length) for (const x of k) from(c).add(x);
          else if (k[i] !== c) from(c).add(k[i]!);
        });
        k.forEach((c, i) => {
          if (k.length !== v.length || v[i] !== c) changed.add(c);
        });
      }
    }
    // Entries chain (the preset's steps run one after another): sources of sources, to a fixed point.
    const sources = new Map<string, Set<string>>();
    for (const c of new Set([...direct.keys(), ...changed])) {
      // A character conversion may change is its own source: a text holding it may lose it.
      const seen = new Set<string>(changed.has(c) ? [c] : []);
      const pending = [c];
      while (pending.length) {
        for (const x of direct.get(pending.pop()!) ?? []) {
          if (seen.has(x)) continue;
          seen.add(x);
          pending.push(x);
        }
      }
      sources.set(c, seen);
    }
    const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    const plain = phrases.filter((p) => ![...p].some((c) => chars.has(c)));
    convertible = {
      chars: new RegExp(`[${[...chars].map(escape).join('')}]`, 'u'),
      phraseStarts: new RegExp(`[${[...new Set(plain.map((p) => [...p][0]!))].map(escape).join('')}]`, 'u'),
      phrases: new RegExp(plain.map(escape).join('|'), 'u'),
      sources,
    };
  }
  return convertible.chars.test(text) || (convertible.phraseStarts.test(text) && convertible.phrases.test(text));
}

/**
 * The characters conversion may turn into `ch`, and `ch` itself where some entry changes it: a
 * text with none of them neither gains nor loses a `ch` by `toSimplified` (for search, which
 * counts a word's occurrences without converting every text).
 */
export function conversionSources(ch: string): ReadonlySet<string> {
  mayConvert('');
  return convertible!.sources.get(ch) ?? new Set();
}

/** Traditional → Simplified, one character for one character. */
export function toSimplified(text: string): string {
  if (!mayConvert(text)) return text;
  const out = toSimplifiedChars(text);
  return /[矽]/.test(out) ? out.replace(/[矽]/g, (c) => EXTRA_FOLDS[c] ?? c) : out;
}

const simplifiedChar = new Map<string, string>();

/** The Simplified form of one character (itself if it has none, or if conversion would not be one character). */
export function toSimplifiedChar(ch: string): string {
  let s = simplifiedChar.get(ch);
  if (s === undefined) {
    const converted = toSimplified(ch);
    s = [...converted].length === 1 ? converted : ch;
    simplifiedChar.set(ch, s);
  }
  return s;
}

/** Whether a text is written in Traditional script: more than one in twenty of its Han characters simplify. */
export function isTraditional(text: string): boolean {
  let changed = 0;
  let han = 0;
  for (const ch of text) {
    if (!isHan(ch)) continue;
    han++;
    if (!SHARED_FORMS.has(ch) && toSimplifiedChar(ch) !== ch) changed++;
  }
  // A Simplified text has no character that simplifies; a Traditional one has many (about one in
  // four in the seeds).
  return han > 0 && changed / han > 0.05;
}

/** Characters Simplified text writes too, which the `tw` preset still folds (显著, 什么, 碳化矽): no sign of script. */
const SHARED_FORMS = new Set(['著', '么', '矽']);

// ---------------------------------------------------------------------------
// Pinyin conversion artefacts
// ---------------------------------------------------------------------------

const TONE_MARKED = 'āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ';
const SYLLABLE = `[a-zü${TONE_MARKED}]*[${TONE_MARKED}][a-zü${TONE_MARKED}]*`;
// Neutral-tone syllables carry no mark; only the common ones are accepted, so that a bracketed
// Latin word or label after a character (物(PM2.5), 第(a)项) is kept.
const NEUTRAL = '(?:de|le|me|men|ne|ma|ba|zhe|zi)';
/**
 * A Han character followed by a bracketed pinyin syllable: `環(huán)`, `污（wū）`. The syllable
 * must be short (≤ 6 letters), lower-case and tone-marked, or a common neutral-tone one.
 */
export const PINYIN_ARTEFACT = new RegExp(`(?<=\\p{Script=Han})([(（](?:${SYLLABLE}|${NEUTRAL})[)）])`, 'gu');
const ARTEFACT_MAX_SYLLABLE = 6;

/** The spans (UTF-16 offsets, end exclusive) of pinyin conversion artefacts in `text`. */
export function pinyinArtefactSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of text.matchAll(PINYIN_ARTEFACT)) {
    if (m[0].length - 2 > ARTEFACT_MAX_SYLLABLE) continue;
    spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/** Removes pinyin conversion artefacts (`環(huán)境` → `環境`). */
export function cleanPinyinArtefacts(text: string): string {
  return text.replace(PINYIN_ARTEFACT, (m) => (m.length - 2 <= ARTEFACT_MAX_SYLLABLE ? '' : m));
}

// ---------------------------------------------------------------------------
// Width
// ---------------------------------------------------------------------------

const widthCache = new Map<string, string>();

/**
 * One code point's compatibility form (NFKC) in lower case: `Ｐ` → `p`, `２` → `2`, `①` → `1`,
 * `…` → `...`. For search, where every such form should match its plain one.
 */
export function foldWidthChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : ch;
  // CJK Unified Ideographs are NFKC-stable and have no case: the common case, skip the lookup.
  if (code >= 0x4e00 && code <= 0x9fff) return ch;
  let folded = widthCache.get(ch);
  if (folded === undefined) {
    folded = ch.normalize('NFKC').toLowerCase();
    widthCache.set(ch, folded);
  }
  return folded;
}

/**
 * Full-width ASCII (`：，（）；．１`) to half-width, nothing else: for recognising a document's
 * structure, where circled numbers (①), ellipses and case carry meaning and must stay as printed.
 */
export function halfWidthChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : ch;
}
