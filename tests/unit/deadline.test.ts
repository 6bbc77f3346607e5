import { describe, expect, it } from 'vitest';
import { describeDeadline, dueDate, parseDeadline } from '../../src/domain/deadline.ts';

describe('parseDeadline: the phrases of the 武威 plan', () => {
  it.each([
    ['2020年年底前', '2020-12-31'],
    ['2021年年底前', '2021-12-31'],
    ['2020年11月底前', '2020-11-30'],
    ['2020年10月底前', '2020-10-31'],
    ['2020年9月底前', '2020-09-30'],
  ])('%s → %s', (text, date) => {
    const parsed = parseDeadline(text);
    expect(parsed.kind).toBe('date');
    expect(dueDate(parsed)).toBe(date);
  });

  it('reads 立行立改,持续加强,长期坚持 as ongoing with no date', () => {
    const parsed = parseDeadline('立行立改,持续加强,长期坚持');
    expect(parsed).toMatchObject({ kind: 'ongoing', immediate: true });
    expect(dueDate(parsed)).toBeUndefined();
  });

  it("reads item 6's conditional deadline: a dated rest and an outside condition", () => {
    const parsed = parseDeadline('涉及连古城自然保护区范围及功能区调整问题,根据国家自然保护地整合优化审核批复时间确定,其余问题2020年年底前完成。');
    expect(parsed.kind).toBe('conditional');
    expect(dueDate(parsed)).toBe('2020-12-31');
    if (parsed.kind === 'conditional') expect(parsed.condition).toContain('批复时间确定');
  });

  it("reads item 6's amended deadline as a date with a later follow-up, not a second deadline", () => {
    const parsed = parseDeadline('2020年年底前,按照自然资源部《关于做好…的函》要求,完成整改及省级验收复核工作。2021年起,按照国家自然保护地优化调整工作部署,加快推进自然保护区整合优化工作。');
    expect(parsed.kind).toBe('date');
    expect(dueDate(parsed)).toBe('2020-12-31');
    if (parsed.kind === 'date') expect(parsed.followUp).toMatch(/^2021年起/);
  });
});

describe('parseDeadline: other forms met in published plans', () => {
  it.each([
    ['2020年底前', '2020-12-31'],
    ['2021年6月30日前', '2021-06-30'],
    ['２０２０年１２月底前', '2020-12-31'],
    ['2021年上半年', '2021-06-30'],
    ['2021年第三季度', '2021-09-30'],
    ['2022年12月31日', '2022-12-31'],
  ])('%s → %s', (text, date) => {
    expect(dueDate(parseDeadline(text))).toBe(date);
  });

  it('keeps 立行立改 alone as immediate, with no date', () => {
    expect(parseDeadline('立行立改').kind).toBe('immediate');
  });

  it('does not guess: vague or impossible phrases stay unparsed', () => {
    expect(parseDeadline('尽快完成').kind).toBe('unparsed');
    expect(parseDeadline('2020年8月前').kind).toBe('unparsed');
    expect(parseDeadline('2020年2月30日前').kind).toBe('unparsed');
    expect(parseDeadline('2021年起').kind).toBe('unparsed');
  });

  it('describes parsed forms in Chinese', () => {
    expect(describeDeadline(parseDeadline('2020年年底前'))).toBe('2020-12-31 前');
    expect(describeDeadline(parseDeadline('长期坚持'))).toBe('长期坚持');
    expect(describeDeadline(undefined)).toBe('时限未公开');
  });
});
