import { describe, expect, it } from 'vitest';
import { progressOverTime } from '../../src/domain/timeline.ts';

describe('progressOverTime', () => {
  it('rolls items up at every disclosure date and at the as-of date', () => {
    const items = [
      { statusHistory: [{ date: '2020-03-01', status: 'on-schedule' as const }, { date: '2020-09', status: 'completed' as const }], parts: [{}] },
      { statusHistory: [{ date: '2020-06-01', status: 'completed' as const }], parts: [{}] },
      { statusHistory: [], parts: [{}] },
    ];
    const points = progressOverTime(items, '2021-01-01');
    expect(points.map((p) => p.date)).toEqual(['2020-03-01', '2020-06-01', '2020-09-30', '2021-01-01']);
    expect(points.map((p) => p.rollup.done)).toEqual([0, 1, 2, 2]);
    expect(points.map((p) => p.rollup.disclosed)).toEqual([1, 2, 2, 2]);
  });

  it('is empty when nothing was ever disclosed', () => {
    expect(progressOverTime([{ statusHistory: [], parts: [{}] }], '2021-01-01')).toEqual([]);
  });
});
