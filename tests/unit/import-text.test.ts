/**
 * The importer's text rules, one style at a time: folding (script, width,
 * pinyin artefacts) with verbatim output, numerals, labels, every numbering
 * style of measures, paragraphs across hard wraps and page chrome.
 */
import { describe, expect, it } from 'vitest';
import { isChrome } from '../../src/import/chrome.ts';
import { parseDateLine } from '../../src/import/dates-zh.ts';
import { findLabels } from '../../src/import/fields.ts';
import { numberingAt, splitMeasures, type Piece } from '../../src/import/measures.ts';
import { foldLine, foldText, isTraditional, pinyinArtefacts, slice, trim } from '../../src/import/normalize.ts';
import { parseNumeral, toChineseNumeral } from '../../src/import/numerals.ts';
import { paragraphs } from '../../src/import/paragraphs.ts';
import { parsePlanText } from '../../src/import/plan-text.ts';
import { personalNames, unitMatcher } from '../../src/import/units.ts';
import { loadContent } from '../../src/content/load.ts';

describe('folding for recognition, verbatim for output', () => {
  it('folds Traditional script, full-width punctuation and odd spaces, one character for one', () => {
    const s = foldLine('\u00a0整改時限：２０２０年底前（一）\u3000', 1);
    expect(s.fold).toBe(' 整改时限:2020年底前(一) ');
    expect(trim(s).raw).toBe('整改時限：２０２０年底前（一）');
  });

  it('drops pinyin artefacts from the folded text but keeps them in the original', () => {
    const raw = '省委環(huán)保督察反饋問(wèn)題';
    expect(pinyinArtefacts(raw)).toEqual([[3, 9], [15, 20]]);
    const s = foldLine(raw, 1);
    expect(s.fold).toBe('省委环保督察反馈问题');
    // Cutting "环保督察" out of the folded text gives the original characters, artefact included.
    expect(slice(s, 2, 6).raw).toBe('環(huán)保督察');
    // Latin in brackets that is not a pinyin syllable stays: PM2.5, ppm, an English word.
    expect(foldText('细颗粒物(PM2.5)浓度(ppm)和(database)')).toBe('细颗粒物(PM2.5)浓度(ppm)和(database)');
  });

  it('tells Traditional from Simplified', () => {
    expect(isTraditional('甘肅省住房和城鄉建設廳')).toBe(true);
    expect(isTraditional('甘肃省住房和城乡建设厅')).toBe(false);
  });
});

describe('numerals and dates', () => {
  it('reads and writes Chinese numerals', () => {
    expect([parseNumeral('七'), parseNumeral('十七'), parseNumeral('二十'), parseNumeral('一百零二'), parseNumeral('１７')]).toEqual([7, 17, 20, 102, 17]);
    expect(parseNumeral('第七')).toBeUndefined();
    expect([1, 10, 17, 20, 102, 110].map(toChineseNumeral)).toEqual(['一', '十', '十七', '二十', '一百零二', '一百一十']);
  });
  it('reads signature dates in figures or Chinese numerals', () => {
    expect(parseDateLine('2020年7月30日')).toBe('2020-07-30');
    expect(parseDateLine('二〇二〇年十一月二十五日')).toBe('2020-11-25');
    expect(parseDateLine('2020年2月30日')).toBeUndefined();
  });
});

describe('labels', () => {
  const labels = (text: string) => findLabels(foldLine(text, 1)).map((l) => l.field);
  it('recognises a label with a colon of either width, in brackets, or alone on its line', () => {
    expect(labels('整改目标:完成')).toEqual(['target']);
    expect(labels('整改時限：2020年年底前')).toEqual(['deadline']);
    expect(labels('【责任单位】各县区政府')).toEqual(['responsibleUnits']);
    expect(labels('督导单位')).toEqual(['supervisingUnits']);
    expect(labels('责任人员:高加志')).toEqual(['responsiblePersons']);
  });
  it('finds labels run together on one line, and none in running text', () => {
    expect(labels('整改时限:立行立改,长期坚持责任单位:各县区政府责任领导:王琳玺')).toEqual(['deadline', 'responsibleUnits', 'responsibleLeaders']);
    expect(labels('各整改责任单位要制定专项整改方案')).toEqual([]);
    expect(labels('审核意见:整改时限中“……”的表述')).toEqual([]);
    expect(labels('整改措施修改为:')).toEqual([]);
  });
});

/** Measures of a block given one paragraph a line. */
function measures(text: string) {
  const pieces: Piece[] = text.split('\n').map((line, i) => ({ span: foldLine(line, i + 1), paraStart: true }));
  return splitMeasures(pieces).map((m) => [m.label, m.text]);
}

describe('measure numbering styles', () => {
  it('(一) and （一）', () => {
    expect(measures('(一)甲。\n(二)乙。')).toEqual([['(一)', '甲。'], ['(二)', '乙。']]);
    expect(measures('（一）甲。\n（二）乙。')).toEqual([['（一）', '甲。'], ['（二）', '乙。']]);
  });
  it('(1) and （1）', () => {
    expect(measures('(1)甲。\n（2）乙。')).toEqual([['(1)', '甲。'], ['（2）', '乙。']]);
  });
  it('1. 1、 and 1．, but not 2.5万户', () => {
    expect(measures('1.甲。\n2、乙。\n3．丙。')).toEqual([['1.', '甲。'], ['2、', '乙。'], ['3．', '丙。']]);
    expect(measures('1.改造2.5万户。')).toEqual([['1.', '改造2.5万户。']]);
  });
  it('① ②', () => {
    expect(measures('①甲。\n②乙。')).toEqual([['①', '甲。'], ['②', '乙。']]);
  });
  it('一是 … 二是 …, on lines of their own or run together after an introduction', () => {
    expect(measures('一是调整产业结构。\n二是优化能源结构。')).toEqual([['一是', '调整产业结构。'], ['二是', '优化能源结构。']]);
    const amendment = '通过四项措施完成目标任务。一是调整产业结构。严格执行制度。二是优化能源消费结构。三是全面治理燃煤设施。';
    expect(measures(amendment)).toEqual([[undefined, '通过四项措施完成目标任务。'], ['一是', '调整产业结构。严格执行制度。'], ['二是', '优化能源消费结构。'], ['三是', '全面治理燃煤设施。']]);
    // A lone 一是 inside a sentence is text, not a list.
    expect(measures('统一是关键。')).toEqual([[undefined, '统一是关键。']]);
  });
  it('一、 二、', () => {
    expect(measures('一、甲。\n二、乙。')).toEqual([['一、', '甲。'], ['二、', '乙。']]);
  });
  it('splits a paragraph only where the number continues the list after a sentence end', () => {
    expect(measures('(一)第22项问题(祁连山)已整改。(二)未完成整改的3项。(四)不连续。')).toEqual([
      ['(一)', '第22项问题(祁连山)已整改。'],
      ['(二)', '未完成整改的3项。(四)不连续。'],
    ]);
  });
  it('keeps an unnumbered introduction as its own measure and joins later unnumbered paragraphs to the measure before', () => {
    expect(measures('经梳理,涉及问题19项。\n(一)基本完成11项。\n其中第22项另行复核。\n(二)未完成3项。')).toEqual([
      [undefined, '经梳理,涉及问题19项。'],
      ['(一)', '基本完成11项。其中第22项另行复核。'],
      ['(二)', '未完成3项。'],
    ]);
  });
  it('knows each style by its number', () => {
    expect(['(三)', '（3）', '3.', '3、', '③', '三是', '三、'].map((l) => numberingAt(foldText(l))?.n)).toEqual([3, 3, 3, 3, 3, 3, 3]);
  });
});

describe('paragraphs and page chrome', () => {
  it('joins hard-wrapped lines, not finished sentences or block starts', () => {
    const { paragraphs: paras } = paragraphs('第一项,绿色发展理念\n树得不牢固。\n整改目标:各级\n各部门。\n另起一段。');
    expect(paras.map((p) => p.raw)).toEqual(['第一项,绿色发展理念树得不牢固。', '整改目标:各级各部门。', '另起一段。']);
  });
  it('takes out page chrome, even in the middle of a sentence', () => {
    const { paragraphs: paras, chrome } = paragraphs('首页\n整改目标:各级\n- 3 -\n各部门。\n扫一扫在手机打开当前页');
    expect(paras.map((p) => p.raw)).toEqual(['整改目标:各级各部门。']);
    expect(chrome.map((c) => c.lines)).toEqual([[1, 1], [3, 3], [5, 5]]);
  });
  it('knows the usual chrome of government sites', () => {
    for (const line of ['>专题专栏>中央生态环境保护督察进行时', '信息来源: 市生态环境局 发布日期: 2020-12-02 12:15 浏览次数:', '【字体：大 中 小】 【打印本页】 【关闭窗口】', '网站首页 | 政务公开 | 专题专栏', '版权所有：武威市人民政府', '第 3 页 共 10 页', 'Produced By 大汉网络 大汉版通发布系统', '打印本页 关闭窗口', '[打印] [关闭]', '分享到：微信 微博 QQ空间', '字体：大 中 小', '技术支持：大汉网络']) {
      expect(isChrome(foldText(line)), line).toBe(true);
    }
    expect(isChrome('整改目标:各污水处理厂规范运行,稳定达标排放。')).toBe(false);
    // Link words inside document text are not chrome.
    expect(isChrome(foldText('请各单位打印并关闭窗口后报送。'))).toBe(false);
    expect(isChrome(foldText('中央第五生态环境保护督察组'))).toBe(false);
  });
});

describe('a whole plan in small', () => {
  const text = [
    '关于印发《某市整改实施方案》的通知',
    '各县区：',
    '现印发给你们。',
    '某市委办公室',
    '2021年3月1日',
    '一、指导思想',
    '以……为指导。',
    '附件',
    '整改措施清单',
    '一、例行督察问题（2项）',
    '第1项，甲问题。',
    '整改目标：甲目标。整改时限：2021年年底前责任单位：各县区政府',
    '整改措施：（一）甲一。（二）甲二。',
    '第二项 乙问题。以上问题分2个方面进行整改。（一）乙一问题。整改目标：乙一目标。整改措施：1.乙一措施。（二）乙二问题。整改目标：乙二目标。整改措施：1.乙二措施。2.乙二又一。',
  ].join('\n');
  const plan = parsePlanText(text);
  it('reads groups, items, parts and measures from compact text', () => {
    expect(plan.title).toBe('某市整改实施方案');
    expect(plan.issuers).toEqual(['某市委办公室']);
    expect(plan.groups).toEqual([expect.objectContaining({ title: '例行督察问题', declaredCount: 2 })]);
    const [a, b] = plan.items;
    expect(a!.printed).toBe('第1项');
    expect(a!.parts[0]!.fields).toEqual({ target: '甲目标。', deadline: '2021年年底前', responsibleUnits: '各县区政府' });
    expect(a!.parts[0]!.measures.map((m) => [m.label, m.text])).toEqual([['（一）', '甲一。'], ['（二）', '甲二。']]);
    expect(b!.problem).toBe('乙问题。');
    expect(b!.note).toBe('以上问题分2个方面进行整改。');
    expect(b!.parts.map((p) => [p.label, p.problem, p.fields.target, p.measures.map((m) => m.text)])).toEqual([
      ['（一）', '乙一问题。', '乙一目标。', ['乙一措施。']],
      ['（二）', '乙二问题。', '乙二目标。', ['乙二措施。', '乙二又一。']],
    ]);
    expect(plan.unplaced).toEqual([]);
  });
});

describe('units and people', () => {
  const { content } = loadContent();
  const match = unitMatcher(content.units);
  it('finds unit ids longest first, whatever the separators and the script', () => {
    expect(match.resolve('各级党委和政府及其工作部门,市、县区国家机关,各人民团体,中央、省属在武各单位').units).toEqual([
      'wuwei-all-party-gov',
      'wuwei-state-organs',
      'wuwei-people-orgs',
      'wuwei-central-provincial-units',
    ]);
    expect(match.resolve('市市場監管局、市生態環境局，各縣區政府').units).toEqual(['wuwei-market', 'wuwei-ecology', 'wuwei-county-govs']);
    expect(match.resolve('市住建局、市自然资源局')).toEqual({ units: ['wuwei-housing'], unknown: ['市自然资源局'] });
  });
  it('finds a unit defined by another plan, as its note describes it', () => {
    expect(match.resolve('《武威市贯彻落实中央环境保护督察反馈意见整改方案》(武办发〔2017〕90号)确定的整改责任单位。因机构改革单位合并或职能调整的,由合并或调整后的单位负责落实。').units).toEqual(['wuwei-2017-plan-units']);
  });
  it('lists names only where the field is a list of names', () => {
    expect(personalNames('高加志、马世友、苏国波')).toEqual(['高加志', '马世友', '苏国波']);
    expect(personalNames('馬扎西')).toEqual(['馬扎西']);
    expect(personalNames('各县区政府和市大气水土壤污染防治工作领导小组成员单位主要负责人')).toEqual([]);
    expect(personalNames('市、县区党委和政府主要领导')).toEqual([]);
  });
});
