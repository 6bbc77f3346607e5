/** Summary-only figures over time: one series per figure for a subject with summaries at two or more dates, the source's figures kept apart from anything counted. */
import { describe, expect, it } from 'vitest';
import type { ProgressSummary, ReportingRound } from '../../src/model/schemas.ts';
import { roundSeries, summarySeries } from '../../src/site/summary-series.ts';

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

describe('reporting rounds over time', () => {
  const round = (id: string, assessedOn: string, outcomes: ReportingRound['outcomes'], subject = '核查并上报'): ReportingRound =>
    ({ id, title: id, requester: '省住建厅', addressees: '各市州', subject, dueOn: '2020-08-31', assessedOn, outcomes, relatedItems: [], findings: [], source: { doc: id } }) as ReportingRound;
  const first = round('a', '2020-09-15', [{ region: 'x', outcome: 'late' }, { region: 'y', outcome: 'not-reported' }, { region: 'z', outcome: 'on-time' }]);
  const second = round('b', '2020-10-20', [{ region: 'x', outcome: 'on-time' }, { region: 'y', outcome: 'late' }]);

  it('counts the regions per outcome at each assessment of one request, oldest first', () => {
    const [h, ...rest] = roundSeries([second, first]);
    expect(rest).toEqual([]);
    expect(h!.points.map((p) => p.date)).toEqual(['2020-09-15', '2020-10-20']);
    expect(h!.series).toEqual([
      { outcome: 'on-time', values: [1, 1] },
      { outcome: 'late', values: [1, 1] },
      { outcome: 'not-reported', values: [1, 0] },
      { outcome: 'not-mentioned', values: [0, 0] },
    ]);
  });

  it('needs two assessments of the same requester and subject', () => {
    expect(roundSeries([first])).toEqual([]);
    expect(roundSeries([first, round('c', '2020-10-20', second.outcomes, '另一事项')])).toEqual([]);
  });
});
