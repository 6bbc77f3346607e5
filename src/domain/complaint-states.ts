/**
 * The states a complaint moves through, after the national rules for
 * environmental complaints: accepted or refused within 15 days, handled and
 * closed within 60 days of acceptance (extendable once).
 *
 * This table is the only place that says what a state is: its label, its
 * phase, and the steps that leave it. Everything else (clocks, Open311's
 * status, on-time rates, which forms staff and reporters see, what may be
 * published) asks the helpers below and never lists states again — as
 * FixMyStreet asks its states for their open/closed type.
 */

export type Phase = 'open' | 'closed';

/** Every step a complaint can take, with the label staff see; `dispute` is the reporter's. */
export const HANDLING_STEPS = {
  accept: '受理',
  reject: '不予受理',
  assign: '转办',
  start: '开始办理',
  extend: '延长期限',
  'close-partially': '阶段性办结',
  close: '办结',
  'mark-duplicate': '标记重复',
  dispute: '异议',
  reopen: '重新办理',
} as const;
export type HandlingKind = keyof typeof HANDLING_STEPS;

interface StateSpec {
  label: string;
  /**
   * open: handling goes on and a statutory clock runs. 阶段性办结 is open: a stage was reported
   * but the complaint is not finished, its closing deadline still runs. 有异议 is open: it is
   * back with staff.
   */
  phase: Phase;
  /** Accepted as a case of its own (not refused, not merged): the 60-day clock applies and enforcement may be recorded. */
  accepted: boolean;
  /** A verdict and a reply were given: the redacted record may be published. */
  result: boolean;
  /** The steps that may leave this state, and where each leads. */
  next: Partial<Record<HandlingKind, string>>;
}

const STATES = {
  submitted: { label: '已提交', phase: 'open', accepted: false, result: false, next: { accept: 'accepted', reject: 'rejected', 'mark-duplicate': 'duplicate' } },
  accepted: { label: '已受理', phase: 'open', accepted: true, result: false, next: { assign: 'assigned', extend: 'accepted', 'mark-duplicate': 'duplicate' } },
  rejected: { label: '不予受理', phase: 'closed', accepted: false, result: false, next: {} },
  assigned: {
    label: '已转办', phase: 'open', accepted: true, result: false,
    // Passing it on again, to another unit, stays 已转办.
    next: { assign: 'assigned', start: 'in-progress', extend: 'assigned', 'close-partially': 'partially-closed', close: 'closed', 'mark-duplicate': 'duplicate' },
  },
  'in-progress': { label: '办理中', phase: 'open', accepted: true, result: false, next: { extend: 'in-progress', 'close-partially': 'partially-closed', close: 'closed', 'mark-duplicate': 'duplicate' } },
  'partially-closed': { label: '阶段性办结', phase: 'open', accepted: true, result: true, next: { extend: 'partially-closed', close: 'closed', dispute: 'disputed' } },
  closed: { label: '已办结', phase: 'closed', accepted: true, result: true, next: { dispute: 'disputed' } },
  // The reporter disputes a closure; staff then reopen it for review.
  disputed: { label: '已办结—有异议', phase: 'open', accepted: true, result: true, next: { reopen: 'in-progress' } },
  duplicate: { label: '重复举报', phase: 'closed', accepted: false, result: false, next: {} },
} as const satisfies Record<string, StateSpec>;

export type ComplaintState = keyof typeof STATES;

/** Every complaint starts here (db/schema.ts has the same default). */
export const INITIAL_STATE: ComplaintState = 'submitted';

/** The table as the helpers read it; every step must lead to a state of the table (a compile error otherwise). */
const lookup: Record<ComplaintState, StateSpec & { next: Partial<Record<HandlingKind, ComplaintState>> }> = STATES;

/** The states in table order, for filters and documentation. */
export const COMPLAINT_STATES = (Object.keys(STATES) as ComplaintState[]).map((id) => ({ id, label: STATES[id].label, phase: STATES[id].phase as Phase }));

const spec = (state: string) => (Object.hasOwn(lookup, state) ? lookup[state as ComplaintState] : undefined);

export function isComplaintState(state: string): state is ComplaintState {
  return spec(state) !== undefined;
}

export function complaintStateLabel(id: string): string {
  return spec(id)?.label ?? id;
}

/** The phase of a state; a state this table does not know is treated as closed (no clock, nothing to do). */
export function phaseOf(state: string): Phase {
  return spec(state)?.phase ?? 'closed';
}

export function isOpen(state: string): boolean {
  return phaseOf(state) === 'open';
}

/** Every state of a phase (for a database filter). */
export function statesIn(phase: Phase): ComplaintState[] {
  return COMPLAINT_STATES.filter((s) => s.phase === phase).map((s) => s.id);
}

/** The state a step leads to from `state`, or undefined if the step cannot be taken from it. */
export function nextState(state: string, kind: HandlingKind): ComplaintState | undefined {
  return spec(state)?.next[kind];
}

/** Accepted as a case of its own: the 60-day closing clock applies while it is open. */
export function isAccepted(state: string): boolean {
  return spec(state)?.accepted ?? false;
}

/** Enforcement figures are recorded only for a complaint that was accepted (not one just submitted, refused or merged). */
export function mayRecordEnforcement(state: string): boolean {
  return isAccepted(state);
}

/** Whether the redacted record may be published: a verdict and a reply were given (阶段性办结, 已办结, 有异议). */
export function mayPublish(state: string): boolean {
  return spec(state)?.result ?? false;
}

/** Whether the reporter may dispute the result given in this state. */
export function mayDispute(state: string): boolean {
  return nextState(state, 'dispute') !== undefined;
}

/**
 * Whether a complaint counts as closed for the on-time rates: finished with a result. A
 * 阶段性办结 or disputed complaint is still open; a refused or merged one was never handled
 * by a unit and is not counted at all.
 */
export function isConcluded(state: string): boolean {
  return !isOpen(state) && mayPublish(state);
}

/** Every state that counts as concluded (for a database filter). */
export function concludedStates(): ComplaintState[] {
  return COMPLAINT_STATES.filter((s) => isConcluded(s.id)).map((s) => s.id);
}
