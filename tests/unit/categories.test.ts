/**
 * Honest categories: a deadline no source gives (时限未公开) is kept apart from
 * one with no end (无期限) and one to be set later (时限另定) in the rules, the
 * roll-ups, the captions and the cite lines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assessItem, type ItemFacts } from '../../src/domain/assess.ts';
import { combinedDeadlineCategory, deadlineCategory, describeDeadlineZh, parseDeadline } from '../../src/domain/deadline.ts';
import { rollup } from '../../src/domain/ratios.ts';
import { buildPortal } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';
import { completionBasis, onTimeBasis, undatedSentence } from '../../src/site/captions.ts';
import { itemCitation } from '../../src/site/cite.ts';
import { inspectionCoverage } from '../../src/site/coverage.ts';
import { absoluteUrl, siteUrl } from '../../src/site/site-url.ts';

const single = (deadline: string | undefined, history: ItemFacts['statusHistory'] = []): ItemFacts => ({
  statusHistory: history,
  parts: [{ originalDeadline: deadline, currentDeadline: deadline }],
});

describe('deadline categories', () => {
  it('names each kind of deadline', () => {
    expect(deadlineCategory(undefined)).toBe('undisclosed');
    expect(deadlineCategory(parseDeadline('2020年年底前'))).toBe('dated');
    expect(deadlineCategory(parseDeadline('立行立改,持续加强,长期坚持'))).toBe('no-end');
    expect(deadlineCategory(parseDeadline('立行立改'))).toBe('no-end');
    expect(deadlineCategory(parseDeadline('根据国家自然保护地整合优化审核批复时间确定'))).toBe('pending');
    expect(deadlineCategory(parseDeadline('涉及连古城自然保护区范围及功能区调整问题,根据国家自然保护地整合优化审核批复时间确定,其余问题2020年年底前完成。'))).toBe('dated');
  });

  it('gives a multi-part item the reason of its least known part: undisclosed before pending before no end', () => {
    const d = parseDeadline('2020年年底前');
    const ongoing = parseDeadline('长期坚持');
    const pending = parseDeadline('根据批复时间确定');
    expect(combinedDeadlineCategory([d, d])).toBe('dated');
    expect(combinedDeadlineCategory([d, ongoing])).toBe('no-end');
    expect(combinedDeadlineCategory([ongoing, pending])).toBe('pending');
    expect(combinedDeadlineCategory([pending, undefined, ongoing])).toBe('undisclosed');
  });

  it('describes deadlines for reading with Chinese dates', () => {
    expect(describeDeadlineZh(parseDeadline('2020年11月底前'))).toBe('2020年11月30日前');
    expect(describeDeadlineZh(undefined)).toBe('时限未公开');
    expect(describeDeadlineZh(parseDeadline('立行立改,持续加强,长期坚持'))).toBe('立行立改、长期坚持（无期限）');
  });

  it('assesses an item with no deadline in any source as 时限未公开, never as 无期限', () => {
    const a = assessItem(single(undefined, [{ date: '2020-07-30', status: 'not-completed' }]), '2026-01-01');
    expect(a.deadlineCategory).toEqual({ original: 'undisclosed', current: 'undisclosed' });
    expect(a.undated).toBe(true);
    expect(a.overdue.current).toBe(false);
    expect(assessItem(single('长期坚持'), '2026-01-01').deadlineCategory.current).toBe('no-end');
  });
});

describe('roll-ups keep the categories apart', () => {
  const items = [
    assessItem(single(undefined, [{ date: '2020-07-30', status: 'basically-completed', evidence: 'self-reported' }]), '2021-06-30'),
    assessItem(single(undefined), '2021-06-30'),
    assessItem(single('长期坚持'), '2021-06-30'),
    assessItem(single('根据批复时间确定'), '2021-06-30'),
    assessItem(single('2020年年底前'), '2021-06-30'), // due, nothing disclosed
    assessItem(single('2020年年底前', [{ date: '2020-12-01', status: 'completed', evidence: 'on-site-check' }]), '2021-06-30'),
    assessItem(single('2022年年底前'), '2021-06-30'), // not yet due
  ];
  const r = rollup(items);

  it('counts each reason for having no due date under its own name', () => {
    expect(r.byDeadline).toEqual({ dated: 3, 'no-end': 1, pending: 1, undisclosed: 2, unparsed: 0 });
    expect(r.undated).toBe(4);
    expect(r.notYetDue).toBe(1);
    expect(r.dueCurrent).toBe(2);
    expect(r.dueUndisclosed).toBe(1);
  });

  it('says what each headline figure rests on', () => {
    expect(completionBasis(r)).toBe('2 项计为完成，依据：责任单位自报 1 项、现场核查 1 项；5 项无任何公开进展，计为未完成。');
    expect(onTimeBasis(r)).toBe('2 项到期任务中 1 项无公开进展，计为未按期完成。');
    expect(undatedSentence(r)).toBe('不计入按期完成率的无到期日任务：时限未公开 2 项、无期限 1 项、时限另定 1 项。');
    const none = rollup([items[4]!, assessItem(single('2020年年底前'), '2021-06-30')]);
    expect(onTimeBasis(none)).toBe('2 项到期任务均无公开进展：这一比率反映的是没有公开信息，不是已知未完成。');
    expect(onTimeBasis(rollup([items[6]!]))).toBe('尚无到期任务，按期完成率无从计算。');
  });
});

describe('the real content', () => {
  const { content } = loadContent();
  const portal = buildPortal(content, '2026-11-23');

  it('shows the 19 first-round items as 时限未公开 and only the five 立行立改 items as 无期限', () => {
    const r = portal.rollups.all;
    expect(r.byDeadline.undisclosed).toBe(19);
    expect(r.byDeadline['no-end']).toBe(5);
    expect(r.byDeadline.dated).toBe(12);
    expect(portal.items.filter((i) => i.assessment.deadlineCategory.current === 'undisclosed').every((i) => i.plan.id === 'wuwei-2017')).toBe(true);
    expect(onTimeBasis(r)).toContain('12 项到期任务均无公开进展');
    expect(completionBasis(r)).toBe('11 项计为完成，依据均为责任单位自报；17 项无任何公开进展，计为未完成。');
  });

  it('says the first round holds 武威’s 19 items of the province’s 62', () => {
    const c = inspectionCoverage(portal, 'central-1-gansu');
    expect(c.held).toBe(19);
    expect(c.stated.map((s) => [s.regionId, s.value, s.held])).toEqual([['gansu', 62, 19], ['gansu-wuwei', 19, 19]]);
    expect(c.sentence).toContain('来源称甘肃省共 62 项，本站收录其中 19 项');
    expect(inspectionCoverage(portal, 'central-2-gansu').sentence).toContain('未给出该督察的问题总数');
    expect(inspectionCoverage(portal, 'shaanxi-ankang-2017').sentence).toBe('本站未收录逐项清单；来源称安康市共 60 个。');
  });

  it('marks the statuses whose source contradicts itself, with both readings', () => {
    const conflicted = portal.items.filter((i) => i.item.statusHistory.some((h) => h.contradiction)).map((i) => i.item.id);
    expect(conflicted).toEqual(['wuwei-2017-02', 'wuwei-2017-06', 'wuwei-2017-18', 'wuwei-2017-19']);
    const h = portal.item('wuwei-2017-02')!.item.statusHistory[0]!;
    expect(h.source.quote).toBe('未完成整改的3项');
    expect(h.contradiction).toEqual({ quote: '第2项、19项问题整改措施已全部落实,完成整改', reading: 'completed' });
  });

  describe('cite lines', () => {
    const saved = process.env.SITE_URL;
    afterEach(() => {
      if (saved === undefined) delete process.env.SITE_URL;
      else process.env.SITE_URL = saved;
    });

    it('cite the document the portal holds for a first-round item, never the plan it does not hold or a placeholder issuer', () => {
      process.env.SITE_URL = 'https://ducha.example.org/';
      const c = itemCitation(portal, portal.item('wuwei-2017-02')!);
      expect(c.cites).toBe('source');
      expect(c.text).toBe(
        '《关于印发〈武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案〉的通知》（武办字〔2020〕47号），中共武威市委办公室、武威市人民政府办公室，2020年7月30日，附件 第六项。转引自：督察整改公开平台，https://ducha.example.org/items/wuwei-2017-02/，数据截至2026年11月23日。',
      );
      expect(c.text).not.toContain('武办发〔2017〕90号');
      expect(c.text).not.toMatch(/，武威市，/);
      expect(c.note).toContain('原文本站未收录');
      expect(portal.plan('wuwei-2017')!.issuers).toEqual([]);
    });

    it('cite the plan for an item of a plan the portal holds', () => {
      delete process.env.SITE_URL;
      const c = itemCitation(portal, portal.item('wuwei-2020-07')!);
      expect(c.cites).toBe('plan');
      expect(c.text).toMatch(/^《武威市贯彻落实中央生态环境保护督察反馈问题整改实施方案》（武办字〔2020〕47号），中共武威市委办公室、武威市人民政府办公室，2020年7月30日，/);
      expect(c.text).toContain('http://127.0.0.1:4321/items/wuwei-2020-07/');
    });

    it('read SITE_URL in one place', () => {
      expect(siteUrl({ SITE_URL: 'https://a.example/' })).toBe('https://a.example');
      expect(siteUrl({ SITE_URL: 'https://a.example/portal/' })).toBe('https://a.example/portal');
      expect(siteUrl({})).toBe('http://127.0.0.1:4321');
      expect(absoluteUrl('/feed.xml', { SITE_URL: 'https://a.example' })).toBe('https://a.example/feed.xml');
      expect(() => siteUrl({ SITE_URL: 'not a url' })).toThrow();
    });
  });
});
