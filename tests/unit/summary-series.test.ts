/** Summary-only figures over time: one series per figure for a subject with summaries at two or more dates, the source's figures kept apart from anything counted. */
import { describe, expect, it } from 'vitest';
import type { ProgressSummary } from '../../src/model/schemas.ts';
import { summarySeries } from '../../src/site/summary-series.ts';

const summary = (id: string, asOf: string, figures: ProgressSummary['figures'], region = 'gansu-wuwei', inspection = 'central-1-gansu'): ProgressSummary =>
  ({ id, title: id, asOf, region, inspection, figures, source: { doc: `doc-${id}`, locator: '一' } }) as ProgressSummary;

const july = summary('july', '2020-07-30', [
  { label: '涉及武威市的问题', value: 19, unit: '项', total: true },
  { label: '基本完成', value: 11, unit: '项' },
  { label: '未完成', value: 3, unit: '项' },
  { label: '总体任务完成率', value: 58, unit: '%' },
]);
const december = summary('december', '2020-12-31', [
  { label: '未完成', value: 1, unit: '项' },
  { label: '已完成', value: 3, unit: '项' },
  { label: '基本完成', value: 11, unit: '项' },
  { label: '涉及武威市的问题', value: 19, unit: '项', total: true },
]);

describe('summary-only figures over time', () => {
  it('makes one series per figure in the whole’s unit, the whole first, null where a date does not give it, oldest date first', () => {
    const [h, ...rest] = summarySeries([december, july]);
    expect(rest).toEqual([]);
    expect(h!.points.map((p) => p.date)).toEqual(['2020-07-30', '2020-12-31']);
    expect(h!.unit).toBe('项');
    expect(h!.series.map((s) => [s.label, s.values])).toEqual([
      ['涉及武威市的问题', [19, 19]],
      ['基本完成', [11, 11]],
      ['未完成', [3, 1]],
      ['已完成', [null, 3]],
    ]);
  });

  it('adds up the figures whose label is a status counted as done (已完成, 基本完成), and nothing else', () => {
    expect(summarySeries([july, december])[0]!.done).toEqual([11, 14]);
    const noStatus = [summary('a', '2019-01-01', [{ label: '问题', value: 5, unit: '个', total: true }, { label: '约谈', value: 2, unit: '个' }]), summary('b', '2019-06-01', [{ label: '问题', value: 5, unit: '个', total: true }])];
    expect(summarySeries(noStatus)[0]!.done).toBeUndefined();
  });

  it('needs two dates of one subject: another region or inspection, or the same date, is no history', () => {
    expect(summarySeries([july])).toEqual([]);
    expect(summarySeries([july, summary('gansu', '2020-12-31', december.figures, 'gansu')])).toEqual([]);
    expect(summarySeries([july, summary('other', '2020-12-31', december.figures, 'gansu-wuwei', 'central-2-gansu')])).toEqual([]);
    expect(summarySeries([july, { ...december, asOf: '2020-07-30' }])).toEqual([]);
  });
});
