/** Search tokenization: bigrams and single characters, Latin/digit runs, gaps, and safe FTS5 queries. */
import { describe, expect, it } from 'vitest';
import { foldText } from '../../src/search/text.ts';
import { GAP, MAX_QUERY_LENGTH, charTokens, gramTokens, indexColumn, matchSpans, parseQuery, type ParsedQuery } from '../../src/search/tokenize.ts';

/** The bigram stream of a text as the index stores it, gaps shown as |. */
const stream = (text: string) =>
  gramTokens(foldText(text))
    .map((t) => (t.text === GAP ? '|' : t.text))
    .join(' ');

function parsed(q: string): ParsedQuery {
  const r = parseQuery(q);
  if (!r.ok) throw new Error(`${q}: ${r.reason}`);
  return r.query;
}

/** Whether the query matches a text the way FTS5 would (same tokens, same phrase rule). */
const finds = (q: string, text: string) => matchSpans(foldText(text), parsed(q)).length > 0;

describe('index tokens', () => {
  it('splits a Han run into overlapping bigrams', () => {
    expect(stream('污水处理厂')).toBe('污水 水处 处理 理厂');
    expect(stream('煤')).toBe('煤');
  });

  it('indexes every Han character alone as well, for one-character queries', () => {
    expect(charTokens(foldText('散煤，PM2.5')).map((t) => t.text)).toEqual(['散', '煤']);
  });

  it('keeps Latin and digits whole, split where letters meet digits, dots inside numbers', () => {
    expect(stream('PM2.5')).toBe('pm 2.5');
    expect(stream('ＰＭ２．５')).toBe('pm 2.5');
    expect(stream('PM10')).toBe('pm 10');
    expect(stream('一级A标准')).toBe('一级 a 标准');
    expect(stream('225台10蒸吨及以下')).toBe('225 台 10 蒸吨 吨及 及以 以下');
    expect(stream('COD排放')).toBe('cod 排放');
    expect(stream('107.28公里')).toBe('107.28 公里');
    expect(stream('2.5万户')).toBe('2.5 万户');
  });

  it('writes a gap where punctuation or a space separates Han runs', () => {
    expect(stream('污水,水处理')).toBe('污水 | 水处 处理');
    expect(stream('中共安康市委 安康市人民政府')).toContain('市委 | 安康');
    expect(stream('细颗粒物(PM2.5)浓度')).toBe('细颗 颗粒 粒物 | pm 2.5 | 浓度');
    // A space between Latin words or numbers is not a gap: PM 2.5 is PM2.5.
    expect(stream('PM 2.5')).toBe('pm 2.5');
  });

  it('joins words wrapped across a line break', () => {
    expect(stream('污\n水')).toBe('污水');
    expect(stream('污水处\n理厂')).toBe('污水 水处 处理 理厂');
  });

  it('separates the fields of one column by a gap', () => {
    const col = indexColumn(['污水', '处理厂', '']);
    expect(col.grams).toBe(`污水 ${GAP} 处理 理厂`);
    expect(col.chars).toBe('污 水 处 理 厂');
  });
});

describe('matching (the same rule FTS5 applies to the index)', () => {
  it('finds a 2-character word and not the same characters apart', () => {
    expect(finds('污水', '生活污水处理')).toBe(true);
    expect(finds('污水', '污染水体')).toBe(false);
    expect(finds('水体', '污染水体')).toBe(true);
    expect(finds('污水处理', '污水,水处理')).toBe(false);
  });

  it('finds Traditional queries in Simplified text and the reverse', () => {
    expect(finds('汙水處理廠', '全省91座生活污水处理厂中')).toBe(true);
    expect(finds('清洁取暖', '由于清潔取暖工作在市州层面分工不同')).toBe(true);
    expect(finds('碳化矽', '碳化硅企业75家')).toBe(true);
  });

  it('finds Latin/digit terms exactly', () => {
    expect(finds('PM2.5', '细颗粒物(PM2.5)年均浓度')).toBe(true);
    expect(finds('PM2.5', '2.5万户年度任务')).toBe(false);
    expect(finds('PM2.5', 'PM10')).toBe(false);
    expect(finds('PM', '可吸入颗粒物(PM10)')).toBe(true);
    expect(finds('一级A', '达到一级A排放标准')).toBe(true);
    expect(finds('一级A', '一级保护区')).toBe(false);
    expect(finds('10蒸吨', '225台10蒸吨及以下')).toBe(true);
    expect(finds('10蒸吨', '20蒸吨以上')).toBe(false);
    expect(finds('cod', 'COD排放')).toBe(true);
  });

  it('finds words through pinyin artefacts and line breaks', () => {
    expect(finds('环境保护', '省委第三環(huán)境保護(hù)督察組')).toBe(true);
    expect(finds('污水处理厂', '污水处\n理厂')).toBe(true);
    expect(finds('污水处\n理厂', '污水处理厂')).toBe(true);
  });

  it('finds a single character anywhere', () => {
    expect(finds('煤', '散煤污染')).toBe(true);
    expect(finds('煤', '污水')).toBe(false);
  });

  it('highlights phrases and characters as merged spans of folded text', () => {
    expect(matchSpans(foldText('污水管网和污水处理厂'), parsed('污水'))).toEqual([[0, 2], [5, 7]]);
    expect(matchSpans(foldText('污水处理厂'), parsed('污水 水处'))).toEqual([[0, 3]]);
  });
});

describe('queries', () => {
  it('makes a phrase of bigrams per Han run, AND across terms', () => {
    expect(parsed('污水处理厂').match).toBe('{title problem body} : "污水 水处 处理 理厂"');
    expect(parsed('污水 散煤').match).toBe('{title problem body} : "污水" AND {title problem body} : "散煤"');
    expect(parsed('PM2.5').match).toBe('{title problem body} : "pm 2.5"');
    expect(parsed('一级A').match).toBe('{title problem body} : "一级 a"');
  });

  it('gives the query restricted to title and problem, for ranking records about it first', () => {
    expect(parsed('污水 PM2.5').headMatch).toBe('{title problem} : "污水" AND {title problem} : "pm 2.5"');
    // Single characters are indexed from every field together: no head query.
    expect(parsed('台10蒸吨').headMatch).toBeUndefined();
  });

  it('looks single characters up in their own column', () => {
    expect(parsed('煤').match).toBe('{chars} : "煤"');
    expect(parsed('台10蒸吨')).toMatchObject({ phrases: [['10', '蒸吨']], chars: [['台']] });
  });

  it('looks a character OpenCC folds by context up as typed too: 么 finds 什么', () => {
    expect(parsed('么').chars).toEqual([['幺', '么']]);
    expect(parsed('么').match).toBe('{chars} : ("幺" OR "么")');
    expect(finds('么', '有什么计划')).toBe(true);
    expect(finds('麼', '有什麼計劃')).toBe(true);
  });

  it('folds the query like the index: Traditional, full-width, line breaks', () => {
    expect(parsed('汙水處理廠').match).toBe(parsed('污水处理厂').match);
    expect(parsed('ＰＭ２．５').match).toBe(parsed('pm2.5').match);
    expect(parsed('污水处\n理厂').match).toBe(parsed('污水处理厂').match);
  });

  it('never lets FTS5 syntax through: every character is a separator or a quoted token', () => {
    const hostile = [
      '"', '""', '"污水', '污水"', '*', '污水*', '(', ')', '(污水', ':', 'title:污水', '{title}:污水', '^污水', '-污水', '+污水',
      'NEAR(污水 处理)', '污水 NEAR 处理', 'AND', 'OR', 'NOT', '污水 AND', 'OR 污水', '污水 OR 散煤 NOT 煤', '\'', '\\', '`', '[]', '{}',
      '污水 - 处理', '"; DROP TABLE search_documents; --', '%_', '\u0000污水', '\uE000', '污水\uE000处理',
    ];
    // A safe expression: column-filtered quoted strings without inner quotes, joined by AND.
    const TERM = String.raw`\{[a-z ]+\} : (?:"[^"]+"|\("[^"]+"(?: OR "[^"]+")+\))`;
    const SAFE = new RegExp(`^${TERM}(?: AND ${TERM})*$`, 'u');
    for (const q of hostile) {
      const r = parseQuery(q);
      if (!r.ok) {
        expect(r.reason, q).toBe('no_terms');
        continue;
      }
      expect(r.query.match, q).toMatch(SAFE);
      for (const token of r.query.phrases.flat().concat(r.query.chars.flat())) expect(token, q).toMatch(/^[\p{L}\p{N}\p{M}.]+$/u);
    }
    // FTS5 operators typed as words are plain words, quoted.
    expect(parsed('污水 OR 散煤').match).toBe('{title problem body} : "污水" AND {title problem body} : "or" AND {title problem body} : "散煤"');
  });

  it('rejects empty, too long and unsearchable queries with a reason and a Chinese message', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['   \n ', 'empty'],
      ['污'.repeat(MAX_QUERY_LENGTH + 1), 'too_long'],
      ['（）——！', 'no_terms'],
      ['"*()', 'no_terms'],
      [Array.from({ length: 13 }, (_, i) => `a${i}`).join(' '), 'too_many_terms'],
    ];
    for (const [q, reason] of cases) {
      const r = parseQuery(q);
      expect(r.ok, q).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(reason);
        expect(r.message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    expect(parseQuery('污'.repeat(MAX_QUERY_LENGTH)).ok).toBe(true);
  });
});

describe('document numbers (文号)', () => {
  it('indexes a number as one phrase: the brackets around its year are no gap', () => {
    expect(stream('武办字〔2020〕47号')).toBe('武办 办字 2020 47 号');
    expect(stream('甘建函〔2020〕126號')).toBe('甘建 建函 2020 126 号');
    // Brackets around anything but a four-digit year still separate.
    expect(stream('物(PM2.5)')).toBe('物 | pm 2.5');
    expect(stream('措施（一）加快')).toBe('措施 | 一 | 加快');
    expect(stream('截至(2020年)底')).toBe('截至 | 2020 年 | 底');
    expect(stream('第[2020号')).toBe('第 | 2020 号');
  });

  it('reads the number typed with any brackets as the same phrase', () => {
    const printed = parsed('武办字〔2020〕47号').match;
    expect(printed).toBe('{title problem body} : "武办 办字 2020 47" AND {chars} : "号"');
    for (const typed of ['武办字[2020]47号', '武办字［2020］47号', '武办字(2020)47号', '武办字（2020）47号', '武办字【2020】47号', '武办字〖2020〗47号']) {
      expect(parsed(typed).match, typed).toBe(printed);
    }
  });

  it('finds the number with or without its prefix, and not another number of the same year', () => {
    const text = '关于印发《整改实施方案》的通知（武办字〔2020〕47号）';
    for (const q of ['武办字〔2020〕47号', '武办字[2020]47号', '〔2020〕47号', '[2020]47号', '武办字']) expect(finds(q, text), q).toBe(true);
    // The trailing 号 is a single character, found anywhere: what must fail is the phrase.
    const phraseFound = (q: string, t: string) => matchSpans(foldText(t), { phrases: parsed(q).phrases, chars: [] }).length > 0;
    expect(phraseFound('〔2020〕126号', text)).toBe(false);
    expect(phraseFound('武办字〔2020〕47号', '武办字〔2019〕47号')).toBe(false);
    expect(phraseFound('武办字〔2020〕47号', '武办字〔2020〕、47号')).toBe(false);
    expect(matchSpans(foldText(text), parsed('武办字[2020]47号'))).toEqual([[text.indexOf('武'), text.indexOf('号') + 1]]);
  });
});
