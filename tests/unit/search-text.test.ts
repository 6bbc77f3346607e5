/** Search folding: Traditional → Simplified, width, case, pinyin artefacts, wrapped words, and the offset map. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanPinyinArtefacts, foldText, foldWidth, foldWithMap, joinHanLineBreaks, toSimplified } from '../../src/search/text.ts';

const seed = (name: string) => readFileSync(`tests/fixtures/seeds/${name}`, 'utf8');
const SEEDS = ['000_bbf1032b22799d09.txt', '001_b5fa22a766b1ca11.txt', '002_d84178776e794d49.txt', '003_440f897a1861408b.txt', '004_a89b2bde670616cd.txt'];

describe('Traditional → Simplified', () => {
  it('folds the seed queries and the Traditional sources’ vocabulary', () => {
    expect(toSimplified('汙水處理廠')).toBe('污水处理厂');
    expect(toSimplified('甘肅省住房和城鄉建設廳')).toBe('甘肃省住房和城乡建设厅');
    expect(toSimplified('清潔取暖')).toBe('清洁取暖');
    expect(toSimplified('蘭州新區')).toBe('兰州新区');
  });

  it('folds Taiwan’s 矽 to the mainland’s 硅, and 著 to 着 as used in Traditional text', () => {
    expect(toSimplified('碳化矽')).toBe('碳化硅');
    expect(toSimplified('意味著')).toBe('意味着');
  });

  it('leaves Simplified text as it is', () => {
    const text = '污水管网建设和污水处理厂提标改造等整改工作进展缓慢';
    expect(toSimplified(text)).toBe(text);
  });

  it('maps one character to one character over the whole seed corpus', () => {
    for (const name of SEEDS) {
      const text = seed(name);
      expect([...toSimplified(text)].length).toBe([...text].length);
    }
  });
});

describe('width and case', () => {
  it('folds full-width Latin and digits to half-width and lower-cases them', () => {
    expect(foldWidth('ＰＭ２．５')).toBe('pm2.5');
    expect(foldWidth('ＣＯＤ和PM10')).toBe('cod和pm10');
  });

  it('folds full-width punctuation with a compatibility form, keeps Chinese punctuation without one', () => {
    expect(foldWidth('（一）污水，处理；')).toBe('(一)污水,处理;');
    expect(foldWidth('。、“”《》〔〕')).toBe('。、“”《》〔〕');
  });
});

describe('pinyin conversion artefacts', () => {
  it('drops a bracketed tone-marked syllable after a Han character', () => {
    expect(cleanPinyinArtefacts('環(huán)境')).toBe('環境');
    expect(cleanPinyinArtefacts('污(wū)染')).toBe('污染');
    expect(cleanPinyinArtefacts('環（huán）境保護(hù)')).toBe('環境保護');
    expect(cleanPinyinArtefacts('綠色發(fā)展')).toBe('綠色發展');
  });

  it('keeps brackets that are text: Latin words, numbers, Chinese, unmarked letters, long syllables', () => {
    for (const text of ['细颗粒物(PM2.5)', '可吸入颗粒物(PM10)', '66.6萬個(家次)', '第(a)项', '(huán)开头', '字(zhuàngzhuàngzhuàng)']) {
      expect(cleanPinyinArtefacts(text)).toBe(text);
    }
  });

  it('cleans every artefact of the 安康 report and folds it to plain Simplified', () => {
    const cleaned = cleanPinyinArtefacts(seed('002_d84178776e794d49.txt'));
    expect(cleaned).not.toMatch(/\p{Script=Han}[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]/u);
    expect(foldText('省委第三環(huán)境保護(hù)督察組')).toBe('省委第三环境保护督察组');
  });

  it('keeps the PM2.5 brackets of the 武威 plan', () => {
    const text = seed('001_b5fa22a766b1ca11.txt');
    expect(cleanPinyinArtefacts(text)).toBe(text);
  });
});

describe('line breaks inside words', () => {
  it('joins Han characters across a line break', () => {
    expect(joinHanLineBreaks('污\n水')).toBe('污水');
    expect(joinHanLineBreaks('污水处 \r\n  理厂')).toBe('污水处理厂');
    expect(foldText('汙水處\n理廠')).toBe('污水处理厂');
  });

  it('keeps breaks that separate something else', () => {
    expect(joinHanLineBreaks('落实。\n(二)落实')).toBe('落实。\n(二)落实');
    expect(joinHanLineBreaks('PM\n2.5')).toBe('PM\n2.5');
    expect(joinHanLineBreaks('污水 处理')).toBe('污水 处理');
  });
});

describe('folding with an offset map', () => {
  it('gives the same text as foldText, for every seed document', () => {
    for (const name of SEEDS) {
      const text = seed(name);
      expect(foldWithMap(text).text).toBe(foldText(text));
    }
  });

  it('maps each folded character back to the source character it came from', () => {
    for (const name of SEEDS) {
      const source = seed(name);
      const { text, start, end } = foldWithMap(source);
      expect(start.length).toBe(text.length);
      for (let i = 0; i < text.length; i++) {
        const from = source.slice(start[i]!, end[i]!);
        // One source character folds to one character here (expansions such as … → ... are checked
        // below). T→S may depend on the neighbours (什么 keeps 么, 么 alone becomes 幺), so the
        // character folded alone or only for width must be the folded one.
        if (foldText(from).length === 1) expect([foldText(from), foldWidth(from)]).toContain(text[i]);
      }
    }
  });

  it('maps across removed artefacts and line breaks', () => {
    const source = '環(huán)境保護(hù)\n督察';
    const { text, start, end } = foldWithMap(source);
    expect(text).toBe('环境保护督察');
    const span = (s: number, e: number) => source.slice(start[s]!, end[e - 1]!);
    expect(span(0, 2)).toBe('環(huán)境');
    expect(span(2, 6)).toBe('保護(hù)\n督察');
    expect(span(4, 6)).toBe('督察');
  });

  it('maps every unit of an expansion to the one source character', () => {
    const { text, start, end } = foldWithMap('甲…乙');
    expect(text).toBe('甲...乙');
    expect([...start.slice(1, 4)]).toEqual([1, 1, 1]);
    expect([...end.slice(1, 4)]).toEqual([2, 2, 2]);
  });
});
