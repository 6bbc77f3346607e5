import { describe, expect, it } from 'vitest';
import { applyAction, checkInternalNote, clocks, HandlingError, MAX_INTERNAL_NOTE, onTimeByUnit, type HandlingFacts } from '../../src/domain/complaint-handling.ts';

const submitted: HandlingFacts = { state: 'submitted', submittedAt: '2026-01-01T00:00:00.000Z' };

describe('handling transitions', () => {
  it('follows submitted → accepted → assigned → in progress → closed', () => {
    expect(applyAction(submitted, { kind: 'accept' })).toBe('accepted');
    expect(applyAction({ ...submitted, state: 'accepted' }, { kind: 'assign', unit: 'wuwei-ecology' })).toBe('assigned');
    expect(applyAction({ ...submitted, state: 'assigned' }, { kind: 'start' })).toBe('in-progress');
    expect(applyAction({ ...submitted, state: 'in-progress' }, { kind: 'close', verdict: '属实', reply: '已责令整改并立案处罚。' })).toBe('closed');
  });

  it('requires a reason to refuse, a verdict and a reply to close', () => {
    expect(() => applyAction(submitted, { kind: 'reject', reason: ' ' })).toThrow('不予受理的理由');
    expect(() => applyAction({ ...submitted, state: 'in-progress' }, { kind: 'close', verdict: '大概' as never, reply: 'x' })).toThrow('核查结论');
    expect(() => applyAction({ ...submitted, state: 'in-progress' }, { kind: 'close', verdict: '不属实', reply: '' })).toThrow('办理答复');
  });

  it('refuses actions out of order', () => {
    expect(() => applyAction(submitted, { kind: 'close', verdict: '属实', reply: 'x' })).toThrow(HandlingError);
    expect(() => applyAction({ ...submitted, state: 'rejected' }, { kind: 'accept' })).toThrow('当前状态下不能执行此操作');
  });

  it('allows one extension of at most 30 days, with a reason', () => {
    const inProgress = { ...submitted, state: 'in-progress' as const, acceptedAt: '2026-01-05T00:00:00.000Z' };
    expect(applyAction(inProgress, { kind: 'extend', days: 30, reason: '需第三方监测' })).toBe('in-progress');
    expect(() => applyAction(inProgress, { kind: 'extend', days: 31, reason: '需第三方监测' })).toThrow('1 至 30');
    expect(() => applyAction({ ...inProgress, extendedDays: 10 }, { kind: 'extend', days: 5, reason: '再延' })).toThrow('只能延长一次');
    expect(applyAction({ ...inProgress, state: 'assigned' }, { kind: 'extend', days: 5, reason: '等待检测' })).toBe('assigned');
  });

  it('lets a reporter dispute a closure, which staff reopen for review', () => {
    const closed = { ...submitted, state: 'closed' as const };
    expect(applyAction(closed, { kind: 'dispute', note: '问题仍然存在' })).toBe('disputed');
    expect(applyAction({ ...closed, state: 'disputed' }, { kind: 'reopen', reason: '复查' })).toBe('in-progress');
  });
});

describe('statutory clocks', () => {
  it('gives 15 days to decide, then flags it', () => {
    expect(clocks(submitted, '2026-01-15T23:00:00.000Z')).toMatchObject({ decideBy: '2026-01-16T00:00:00.000Z', overdue: false });
    expect(clocks(submitted, '2026-01-16T00:00:01.000Z').overdue).toBe(true);
  });

  it('gives 60 days from acceptance to close, plus the extension', () => {
    const facts = { state: 'in-progress' as const, submittedAt: '2026-01-01T00:00:00.000Z', acceptedAt: '2026-01-10T00:00:00.000Z' };
    expect(clocks(facts, '2026-03-10T00:00:00.000Z')).toMatchObject({ closeBy: '2026-03-11T00:00:00.000Z', overdue: false });
    expect(clocks(facts, '2026-03-12T00:00:00.000Z').overdue).toBe(true);
    expect(clocks({ ...facts, extendedDays: 30 }, '2026-03-12T00:00:00.000Z').overdue).toBe(false);
    expect(clocks({ ...facts, state: 'closed' }, '2027-01-01T00:00:00.000Z').overdue).toBe(false);
  });

  it('computes each unit’s on-time rate over closed and overdue complaints', () => {
    const rates = onTimeByUnit([
      { unit: 'a', closedAt: '2026-02-01', closeBy: '2026-03-01', overdue: false },
      { unit: 'a', closedAt: '2026-04-01', closeBy: '2026-03-01', overdue: false },
      { unit: 'a', closedAt: null, closeBy: '2026-03-01', overdue: true },
      { unit: 'a', closedAt: null, closeBy: '2026-09-01', overdue: false },
      { unit: null, closedAt: null, closeBy: undefined, overdue: true },
    ]);
    expect(rates.get('a')).toEqual({ onTime: 1, counted: 3 });
    expect(rates.size).toBe(1);
  });
});

describe('internal notes', () => {
  it('refuses a note longer than the form allows', () => {
    expect(() => checkInternalNote('备'.repeat(MAX_INTERNAL_NOTE))).not.toThrow();
    expect(() => checkInternalNote(undefined)).not.toThrow();
    expect(() => checkInternalNote('备'.repeat(MAX_INTERNAL_NOTE + 1))).toThrow(HandlingError);
  });
});
