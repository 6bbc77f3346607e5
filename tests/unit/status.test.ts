import { describe, expect, it } from 'vitest';
import { STATUSES, isDone, parseStatus, statusLabel, statusRank } from '../../src/domain/status.ts';

describe('status vocabulary', () => {
  it('lists statuses from furthest along to least, with undisclosed last', () => {
    expect(STATUSES.map((s) => s.label)).toEqual(['已销号', '已完成', '基本完成', '达到序时进度', '长期坚持', '未达到序时进度', '未完成']);
    expect(statusRank('undisclosed')).toBe(STATUSES.length);
    expect(statusLabel('undisclosed')).toBe('未公开进展');
  });

  it('counts only sign-off, completed and basically completed as done', () => {
    expect(STATUSES.filter((s) => isDone(s.id)).map((s) => s.id)).toEqual(['signed-off', 'completed', 'basically-completed']);
    expect(isDone('undisclosed')).toBe(false);
    expect(isDone('on-schedule')).toBe(false);
  });

  it('reads Chinese labels, their variants and ids', () => {
    expect(parseStatus('达到序时进度')).toBe('on-schedule');
    expect(parseStatus('达到时序进度')).toBe('on-schedule');
    expect(parseStatus(' 基本完成 ')).toBe('basically-completed');
    expect(parseStatus('已完成整改')).toBe('completed');
    expect(parseStatus('completed')).toBe('completed');
    expect(parseStatus('正在推进')).toBeUndefined();
    expect(parseStatus('')).toBeUndefined();
  });
});
