import { describe, expect, it } from 'vitest';
import { assessItem } from '../../src/domain/assess.ts';
import { formatRatio, ratio, rollup, rollupBy } from '../../src/domain/ratios.ts';

const item = (deadline: string, history: { date: string; status: 'completed' | 'on-schedule' }[] = []) =>
  assessItem({ statusHistory: history, parts: [{ originalDeadline: deadline, currentDeadline: deadline }] }, '2021-06-30');

describe('rollup', () => {
  const items = [
    item('2020年年底前', [{ date: '2020-12-01', status: 'completed' }]), // done on time
    item('2020年年底前', [{ date: '2021-03-01', status: 'completed' }]), // done late
    item('2020年年底前', [{ date: '2021-03-01', status: 'on-schedule' }]), // overdue, reported
    item('2020年年底前'), // overdue, unreported
    item('2021年年底前'), // not yet due
    item('长期坚持'), // undated
  ];
  const r = rollup(items);

  it('computes completion over all items, undisclosed counting as not done', () => {
    expect(r.completion).toEqual({ numerator: 2, denominator: 6, value: 2 / 6 });
  });

  it('computes the on-time ratio over items whose deadline has passed only', () => {
    expect(r.dueCurrent).toBe(4);
    expect(r.onTime.current).toEqual({ numerator: 1, denominator: 4, value: 0.25 });
  });

  it('counts overdue, unreported, disclosed and undated items', () => {
    expect(r.overdue.current).toBe(2);
    expect(r.overdueUnreported).toBe(1);
    expect(r.disclosed).toBe(3);
    expect(r.undated).toBe(1);
    expect(r.byStatus).toMatchObject({ completed: 2, 'on-schedule': 1, undisclosed: 3 });
  });

  it('returns a null ratio, shown as —, for an empty denominator', () => {
    expect(rollup([]).completion.value).toBeNull();
    expect(formatRatio(ratio(0, 0))).toBe('—');
    expect(formatRatio(ratio(49, 62))).toBe('79%');
    expect(formatRatio(ratio(1, 3))).toBe('33.3%');
  });

  it('rolls up by key, an item counting once under each of its keys', () => {
    const groups = rollupBy(
      [{ keys: ['a', 'b', 'a'], a: items[0]! }, { keys: ['b'], a: items[3]! }],
      (x) => x.keys,
      (x) => x.a,
    );
    expect(groups.get('a')!.items).toBe(1);
    expect(groups.get('b')!.items).toBe(2);
    expect(groups.get('b')!.done).toBe(1);
  });
});
