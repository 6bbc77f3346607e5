/**
 * The complaint state model against tables written out here by hand: each
 * state's phase and what it permits, where each step leads, and what every
 * role may do in every state. Nothing below is computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { allowedActions, applyAction, clocks, HandlingError, mayTake, OPERATIONS, type Actor, type HandlingAction } from '../../src/domain/complaint-handling.ts';
import {
  COMPLAINT_STATES,
  complaintStateLabel,
  isConcluded,
  isOpen,
  mayDispute,
  mayPublish,
  mayRecordEnforcement,
  phaseOf,
  statesIn,
  type ComplaintState,
} from '../../src/domain/complaint-states.ts';

const STATES = ['submitted', 'accepted', 'rejected', 'assigned', 'in-progress', 'partially-closed', 'closed', 'disputed', 'duplicate'] as const satisfies readonly ComplaintState[];
const STEPS = ['accept', 'reject', 'assign', 'start', 'extend', 'close-partially', 'close', 'mark-duplicate', 'dispute', 'reopen'] as const;
const ALL_OPERATIONS = [...STEPS, 'record-enforcement', 'publish', 'unpublish'] as const;

it('knows exactly these states and operations, in this order', () => {
  expect(COMPLAINT_STATES.map((s) => s.id)).toEqual(STATES);
  expect(OPERATIONS).toEqual(ALL_OPERATIONS);
});

describe('each state’s phase and what it permits', () => {
  //                    label              phase     publish dispute enforcement concluded(on-time rates)
  const TABLE: Record<ComplaintState, [string, 'open' | 'closed', boolean, boolean, boolean, boolean]> = {
    submitted:          ['已提交',         'open',   false,  false,  false,      false],
    accepted:           ['已受理',         'open',   false,  false,  true,       false],
    rejected:           ['不予受理',       'closed', false,  false,  false,      false],
    assigned:           ['已转办',         'open',   false,  false,  true,       false],
    'in-progress':      ['办理中',         'open',   false,  false,  true,       false],
    'partially-closed': ['阶段性办结',     'open',   true,   true,   true,       false],
    closed:             ['已办结',         'closed', true,   true,   true,       true],
    disputed:           ['已办结—有异议',  'open',   true,   false,  true,       false],
    duplicate:          ['重复举报',       'closed', false,  false,  false,      false],
  };

  it.each(STATES)('%s', (state) => {
    const [label, phase, publish, dispute, enforcement, concluded] = TABLE[state];
    expect(complaintStateLabel(state)).toBe(label);
    expect(phaseOf(state)).toBe(phase);
    expect(isOpen(state)).toBe(phase === 'open');
    expect(mayPublish(state)).toBe(publish);
    expect(mayDispute(state)).toBe(dispute);
    expect(mayRecordEnforcement(state)).toBe(enforcement);
    expect(isConcluded(state)).toBe(concluded);
  });

  it('lists the states of each phase for database filters', () => {
    expect(statesIn('open')).toEqual(['submitted', 'accepted', 'assigned', 'in-progress', 'partially-closed', 'disputed']);
    expect(statesIn('closed')).toEqual(['rejected', 'closed', 'duplicate']);
  });

  it('treats a state it does not know as closed, permitting nothing', () => {
    for (const unknown of ['archived', 'toString', '__proto__', '']) {
      expect(phaseOf(unknown)).toBe('closed');
      expect(mayPublish(unknown) || mayDispute(unknown) || mayRecordEnforcement(unknown)).toBe(false);
      expect(complaintStateLabel(unknown)).toBe(unknown);
    }
  });
});

/** A valid action of each kind: the state table alone decides whether it is taken. */
const ACTION: Record<(typeof STEPS)[number], HandlingAction> = {
  accept: { kind: 'accept' },
  reject: { kind: 'reject', reason: '不属于生态环境部门职责' },
  assign: { kind: 'assign', unit: 'wuwei-housing' },
  start: { kind: 'start' },
  extend: { kind: 'extend', days: 10, reason: '等待检测报告' },
  'close-partially': { kind: 'close-partially', verdict: '部分属实', reply: '已责令整改，持续跟踪。' },
  close: { kind: 'close', verdict: '属实', reply: '已整改到位。' },
  'mark-duplicate': { kind: 'mark-duplicate', of: '2026-000001' },
  dispute: { kind: 'dispute', note: '问题仍然存在' },
  reopen: { kind: 'reopen', reason: '复查' },
};

describe('where each step leads', () => {
  // Blank: the step cannot be taken from that state.
  const NEXT: Record<ComplaintState, Partial<Record<(typeof STEPS)[number], ComplaintState>>> = {
    submitted: { accept: 'accepted', reject: 'rejected', 'mark-duplicate': 'duplicate' },
    accepted: { assign: 'assigned', extend: 'accepted', 'mark-duplicate': 'duplicate' },
    rejected: {},
    assigned: { assign: 'assigned', start: 'in-progress', extend: 'assigned', 'close-partially': 'partially-closed', close: 'closed', 'mark-duplicate': 'duplicate' },
    'in-progress': { extend: 'in-progress', 'close-partially': 'partially-closed', close: 'closed', 'mark-duplicate': 'duplicate' },
    'partially-closed': { extend: 'partially-closed', close: 'closed', dispute: 'disputed' },
    closed: { dispute: 'disputed' },
    disputed: { reopen: 'in-progress' },
    duplicate: {},
  };

  for (const state of STATES) {
    it.each(STEPS)(`${state} × %s`, (kind) => {
      const facts = { state, submittedAt: '2026-01-01T00:00:00.000Z', acceptedAt: '2026-01-05T00:00:00.000Z' };
      const to = NEXT[state][kind];
      if (to) expect(applyAction(facts, ACTION[kind])).toBe(to);
      else expect(() => applyAction(facts, ACTION[kind])).toThrow('当前状态下不能执行此操作');
    });
  }
});

describe('what every role may do in every state', () => {
  type Who = 'admin' | 'own handler' | 'other handler' | 'viewer' | 'reporter';
  const WHO: Record<Who, { role: Actor; unit: string | null }> = {
    admin: { role: 'admin', unit: null },
    'own handler': { role: 'handler', unit: 'wuwei-housing' },
    'other handler': { role: 'handler', unit: 'wuwei-ecology' },
    viewer: { role: 'viewer', unit: null },
    reporter: { role: 'reporter', unit: null },
  };
  /** The complaint is assigned to wuwei-housing, not yet extended, its reporter consented, not published. */
  const ASSIGNED = 'wuwei-housing';
  const FACTS = { extendedDays: null, consentPublish: true, published: false };
  // Space-separated; blank: nothing.
  const ALLOWED: Record<ComplaintState, Record<Who, string>> = {
    submitted: { admin: 'accept reject mark-duplicate', 'own handler': '', 'other handler': '', viewer: '', reporter: '' },
    accepted: { admin: 'assign extend mark-duplicate record-enforcement', 'own handler': 'extend record-enforcement', 'other handler': '', viewer: '', reporter: '' },
    rejected: { admin: '', 'own handler': '', 'other handler': '', viewer: '', reporter: '' },
    assigned: {
      admin: 'assign start extend close-partially close mark-duplicate record-enforcement',
      'own handler': 'start extend close-partially close record-enforcement', 'other handler': '', viewer: '', reporter: '',
    },
    'in-progress': {
      admin: 'extend close-partially close mark-duplicate record-enforcement',
      'own handler': 'extend close-partially close record-enforcement', 'other handler': '', viewer: '', reporter: '',
    },
    'partially-closed': { admin: 'extend close record-enforcement publish', 'own handler': 'extend close record-enforcement', 'other handler': '', viewer: '', reporter: 'dispute' },
    closed: { admin: 'record-enforcement publish', 'own handler': 'record-enforcement', 'other handler': '', viewer: '', reporter: 'dispute' },
    disputed: { admin: 'reopen record-enforcement publish', 'own handler': 'record-enforcement', 'other handler': '', viewer: '', reporter: '' },
    duplicate: { admin: '', 'own handler': '', 'other handler': '', viewer: '', reporter: '' },
  };

  for (const state of STATES) {
    for (const who of Object.keys(WHO) as Who[]) {
      it(`${state} × ${who}`, () => {
        const expected = new Set(ALLOWED[state][who].split(' ').filter(Boolean));
        const { role, unit } = WHO[who];
        const allowed = allowedActions(state, role, unit, ASSIGNED, FACTS);
        for (const op of ALL_OPERATIONS) expect(allowed.includes(op), `${state} × ${op} × ${who}`).toBe(expected.has(op));
        expect(allowed).toEqual(ALL_OPERATIONS.filter((op) => expected.has(op)));
      });
    }
  }

  it('offers the one extension only while none was granted', () => {
    for (const state of ['accepted', 'assigned', 'in-progress', 'partially-closed'] as const) {
      expect(allowedActions(state, 'admin', null, ASSIGNED, { ...FACTS, extendedDays: 10 })).not.toContain('extend');
      expect(allowedActions(state, 'handler', ASSIGNED, ASSIGNED, { ...FACTS, extendedDays: 10 })).not.toContain('extend');
    }
    const inProgress = { state: 'in-progress' as const, submittedAt: '2026-01-01T00:00:00.000Z', extendedDays: 10 };
    expect(() => applyAction(inProgress, ACTION.extend)).toThrow('办理期限只能延长一次');
  });

  it('offers publishing only with the reporter’s consent, and withdrawal of a published record to admins in any state', () => {
    for (const state of STATES) {
      expect(allowedActions(state, 'admin', null, ASSIGNED, { ...FACTS, consentPublish: false })).not.toContain('publish');
      expect(allowedActions(state, 'admin', null, ASSIGNED, { ...FACTS, published: true })).toContain('unpublish');
      expect(allowedActions(state, 'handler', ASSIGNED, ASSIGNED, { ...FACTS, published: true })).not.toContain('unpublish');
    }
  });

  it('counts a complaint without facts as not extended, not consented and not published', () => {
    expect(allowedActions('closed', 'admin', null, ASSIGNED)).toEqual(['record-enforcement']);
    expect(allowedActions('in-progress', 'handler', ASSIGNED, ASSIGNED)).toContain('extend');
  });

  it('gives a handler nothing on a complaint not passed to any unit', () => {
    for (const state of STATES) expect(allowedActions(state, 'handler', ASSIGNED, null, FACTS)).toEqual([]);
  });

  it('asks mayTake for the role part alone, the same for every state', () => {
    expect(mayTake(WHO['own handler'], 'close', ASSIGNED)).toBe(true);
    expect(mayTake(WHO['other handler'], 'close', ASSIGNED)).toBe(false);
    expect(mayTake(WHO.reporter, 'dispute', ASSIGNED)).toBe(true);
    expect(mayTake(WHO.admin, 'dispute', ASSIGNED)).toBe(false);
    expect(mayTake(WHO['own handler'], 'publish', ASSIGNED)).toBe(false);
  });
});

describe('clocks follow the phase', () => {
  const base = { submittedAt: '2026-01-01T00:00:00.000Z', acceptedAt: '2026-01-10T00:00:00.000Z' };
  const AFTER_CLOSE_BY = '2026-03-12T00:00:00.000Z'; // closeBy is 2026-03-11
  // running clock and its deadline, and whether it has run out on AFTER_CLOSE_BY
  const CLOCKS: Record<ComplaintState, ['decide' | 'close' | null, string | undefined, boolean]> = {
    submitted: ['decide', '2026-01-16T00:00:00.000Z', true],
    accepted: ['close', '2026-03-11T00:00:00.000Z', true],
    rejected: [null, undefined, false],
    assigned: ['close', '2026-03-11T00:00:00.000Z', true],
    'in-progress': ['close', '2026-03-11T00:00:00.000Z', true],
    'partially-closed': ['close', '2026-03-11T00:00:00.000Z', true],
    closed: [null, undefined, false],
    disputed: ['close', '2026-03-11T00:00:00.000Z', true],
    duplicate: [null, undefined, false],
  };
  it.each(STATES)('%s', (state) => {
    const [running, dueBy, overdue] = CLOCKS[state];
    expect(clocks({ ...base, state }, AFTER_CLOSE_BY)).toMatchObject({ running, dueBy, overdue });
  });

  it('keeps a 阶段性办结 complaint on its clock until it closes', () => {
    const partly = { ...base, state: 'partially-closed' as const };
    expect(clocks(partly, '2026-03-10T00:00:00.000Z').overdue).toBe(false);
    expect(clocks(partly, AFTER_CLOSE_BY).overdue).toBe(true);
    expect(clocks({ ...partly, extendedDays: 30 }, AFTER_CLOSE_BY)).toMatchObject({ dueBy: '2026-04-10T00:00:00.000Z', overdue: false });
  });

  it('refuses a step with a HandlingError, never silently', () => {
    expect(() => applyAction({ ...base, state: 'closed' }, ACTION.close)).toThrow(HandlingError);
  });
});
