import { describe, expect, it } from 'vitest';
import { assessItem, type ItemFacts } from '../../src/domain/assess.ts';

const single = (deadline: string | undefined, history: ItemFacts['statusHistory'] = [], current = deadline): ItemFacts => ({
  statusHistory: history,
  parts: [{ originalDeadline: deadline, currentDeadline: current }],
});

describe('assessItem', () => {
  it('shows an item no source gives a status as undisclosed, and flags 逾期未报 once its deadline has passed', () => {
    const before = assessItem(single('2020年年底前'), '2020-06-01');
    expect(before).toMatchObject({ status: 'undisclosed', disclosed: false, overdueUnreported: false });
    expect(before.onTime.current).toBeUndefined();
    const after = assessItem(single('2020年年底前'), '2021-01-01');
    expect(after).toMatchObject({ status: 'undisclosed', overdueUnreported: true, overdue: { original: true, current: true } });
    expect(after.onTime.current).toBe(false);
  });

  it('is not overdue on the deadline day itself', () => {
    expect(assessItem(single('2020年年底前'), '2020-12-31').overdue.current).toBe(false);
  });

  it('counts an item done before its deadline as on time', () => {
    const a = assessItem(single('2020年年底前', [{ date: '2020-11-01', status: 'completed' }]), '2021-03-01');
    expect(a).toMatchObject({ done: true, doneOn: '2020-11-01', overdue: { current: false } });
    expect(a.onTime.current).toBe(true);
  });

  it('counts an item done after its deadline as done but not on time, and not overdue', () => {
    const a = assessItem(single('2020年年底前', [{ date: '2021-02-01', status: 'basically-completed' }]), '2021-03-01');
    expect(a).toMatchObject({ done: true, overdue: { current: false }, onTime: { current: false } });
  });

  it('keeps an overdue item that has a non-done status overdue, but not unreported', () => {
    const a = assessItem(single('2020年9月底前', [{ date: '2020-10-15', status: 'on-schedule' }]), '2021-01-01');
    expect(a).toMatchObject({ status: 'on-schedule', overdue: { current: true }, overdueUnreported: false });
  });

  it('takes the done date from the start of the latest unbroken run of done statuses', () => {
    const a = assessItem(
      single('2021年年底前', [
        { date: '2020-05-01', status: 'completed' },
        { date: '2020-08-01', status: 'not-completed' },
        { date: '2021-03-01', status: 'completed' },
        { date: '2021-06-01', status: 'signed-off' },
      ]),
      '2022-01-15',
    );
    expect(a.status).toBe('signed-off');
    expect(a.doneOn).toBe('2021-03-01');
  });

  it('ignores entries dated after the as-of date', () => {
    const a = assessItem(single('2020年年底前', [{ date: '2021-05-01', status: 'completed' }]), '2021-01-10');
    expect(a.status).toBe('undisclosed');
  });

  it('widens a month-only date to the month end when judging on time', () => {
    const late = assessItem(single('2020年11月底前', [{ date: '2020-12', status: 'completed' }]), '2021-01-31');
    expect(late.doneOn).toBe('2020-12-31');
    expect(late.onTime.current).toBe(false);
    const inTime = assessItem(single('2020年12月底前', [{ date: '2020-12', status: 'completed' }]), '2021-01-31');
    expect(inTime.onTime.current).toBe(true);
  });

  it('treats ongoing deadlines as undated: never overdue, not in the on-time ratio', () => {
    const a = assessItem(single('立行立改,持续加强,长期坚持'), '2030-01-01');
    expect(a).toMatchObject({ undated: true, overdue: { original: false, current: false }, onTime: { current: undefined } });
  });

  it('judges the two clocks separately when a deadline was amended', () => {
    const a = assessItem(single('2020年9月底前', [], '2021年年底前'), '2021-06-01');
    expect(a.due).toEqual({ original: '2020-09-30', current: '2021-12-31' });
    expect(a.overdue).toEqual({ original: true, current: false });
  });

  it('makes an item as far along as its least advanced part, and due when its last part is due', () => {
    const facts: ItemFacts = {
      statusHistory: [
        { date: '2021-03-01', status: 'completed', part: '(一)' },
        { date: '2021-03-01', status: 'on-schedule', part: '(二)' },
      ],
      parts: [
        { label: '(一)', originalDeadline: '2020年年底前', currentDeadline: '2020年年底前' },
        { label: '(二)', originalDeadline: '2021年年底前', currentDeadline: '2021年年底前' },
      ],
    };
    const a = assessItem(facts, '2021-06-01');
    expect(a.parts.map((p) => p.status)).toEqual(['completed', 'on-schedule']);
    expect(a.status).toBe('on-schedule');
    expect(a.done).toBe(false);
    expect(a.due.current).toBe('2021-12-31');
  });

  it('lets a part-level entry override an item-level entry of the same date', () => {
    const facts: ItemFacts = {
      statusHistory: [
        { date: '2021-03-01', status: 'completed', part: '(二)' },
        { date: '2021-03-01', status: 'on-schedule' },
      ],
      parts: [{ label: '(一)' }, { label: '(二)' }],
    };
    expect(assessItem(facts, '2021-06-01').parts.map((p) => p.status)).toEqual(['on-schedule', 'completed']);
  });

  it('leaves an item undisclosed while any part has no status', () => {
    const facts: ItemFacts = {
      statusHistory: [{ date: '2021-03-01', status: 'completed', part: '(一)' }],
      parts: [{ label: '(一)' }, { label: '(二)' }],
    };
    const a = assessItem(facts, '2021-06-01');
    expect(a.status).toBe('undisclosed');
    expect(a.disclosed).toBe(true);
  });
});
