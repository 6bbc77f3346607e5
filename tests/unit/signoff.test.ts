import { describe, expect, it } from 'vitest';
import { mayTake, maySee, parseEnforcement } from '../../src/domain/complaint-handling.ts';
import { signOffState, windowOpen } from '../../src/domain/signoff.ts';

const window = { noticeFrom: '2026-11-01', noticeTo: '2026-11-07', signedOffOn: '2026-11-10' };

describe('sign-off after a notice window', () => {
  it('takes objections only inside the window, both ends included', () => {
    expect(windowOpen(window, '2026-10-31')).toBe(false);
    expect(windowOpen(window, '2026-11-01')).toBe(true);
    expect(windowOpen(window, '2026-11-07')).toBe(true);
    expect(windowOpen(window, '2026-11-08')).toBe(false);
    expect(windowOpen({}, '2026-11-03')).toBe(false);
  });

  it('is signed off only after the window closed and every objection was disposed of', () => {
    expect(signOffState(window, '2026-11-03', [])).toBe('notice-open');
    expect(signOffState(window, '2026-10-01', [])).toBe('not-yet-open');
    expect(signOffState(window, '2026-11-20', [{ disposed: true }, { disposed: false }])).toBe('objections-pending');
    expect(signOffState(window, '2026-11-20', [{ disposed: true }])).toBe('signed-off');
    expect(signOffState({ ...window, signedOffOn: undefined }, '2026-11-20', [])).toBe('awaiting-sign-off');
    expect(signOffState({}, '2026-11-20', [])).toBe('no-notice');
  });
});

describe('who may do what', () => {
  const admin = { role: 'admin' as const, unit: null };
  const handler = { role: 'handler' as const, unit: 'wuwei-housing' };
  const viewer = { role: 'viewer' as const, unit: null };

  it('keeps triage with admins and limits handlers to their own unit', () => {
    expect(mayTake(admin, 'accept', null)).toBe(true);
    expect(mayTake(handler, 'accept', 'wuwei-housing')).toBe(false);
    expect(mayTake(handler, 'close', 'wuwei-housing')).toBe(true);
    expect(mayTake(handler, 'close', 'wuwei-ecology')).toBe(false);
    expect(mayTake(handler, 'close', null)).toBe(false);
    expect(mayTake(viewer, 'close', null)).toBe(false);
    expect(mayTake(admin, 'dispute', null)).toBe(false);
    expect(maySee(handler, 'wuwei-ecology')).toBe(false);
    expect(maySee(viewer, 'wuwei-ecology')).toBe(true);
  });

  it('reads enforcement figures as whole numbers, blank meaning not recorded', () => {
    expect(parseEnforcement({ ordered: '2', fineYuan: '50000', detained: '' })).toEqual({ figures: { ordered: 2, fineYuan: 50000 }, errors: {} });
    expect(parseEnforcement({ ordered: '-1', fineYuan: '1.5' }).errors).toEqual({ ordered: '责令整改应为不小于 0 的整数（家）', fineYuan: '罚款应为不小于 0 的整数（元）' });
  });
});
