/**
 * Complaint handling rules: which action may follow which state, who may take
 * it, and the statutory clocks — a decision to accept or refuse within 15 days
 * of submission, and closure within 60 days of acceptance, extendable once by
 * up to 30 days with a reason the reporter sees.
 */
import type { ComplaintState } from './complaint-states.ts';

export const ACCEPT_WITHIN_DAYS = 15;
export const CLOSE_WITHIN_DAYS = 60;
export const MAX_EXTENSION_DAYS = 30;

export const VERDICTS = ['属实', '基本属实', '部分属实', '不属实'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type HandlingAction =
  | { kind: 'accept' }
  | { kind: 'reject'; reason: string }
  | { kind: 'assign'; unit: string }
  | { kind: 'start' }
  | { kind: 'extend'; days: number; reason: string }
  | { kind: 'close-partially'; verdict: Verdict; reply: string }
  | { kind: 'close'; verdict: Verdict; reply: string }
  | { kind: 'mark-duplicate'; of: string }
  | { kind: 'dispute'; note: string }
  | { kind: 'reopen'; reason: string };

/** What the rules need to know of a complaint. */
export interface HandlingFacts {
  state: ComplaintState;
  submittedAt: string;
  acceptedAt?: string | null;
  extendedDays?: number | null;
}

/** From which states each action may be taken, and the state it leads to. */
const TRANSITIONS: Record<HandlingAction['kind'], { from: readonly ComplaintState[]; to: ComplaintState }> = {
  accept: { from: ['submitted'], to: 'accepted' },
  reject: { from: ['submitted'], to: 'rejected' },
  assign: { from: ['accepted', 'assigned'], to: 'assigned' },
  start: { from: ['assigned'], to: 'in-progress' },
  extend: { from: ['accepted', 'assigned', 'in-progress', 'partially-closed'], to: 'in-progress' },
  'close-partially': { from: ['assigned', 'in-progress'], to: 'partially-closed' },
  close: { from: ['assigned', 'in-progress', 'partially-closed'], to: 'closed' },
  'mark-duplicate': { from: ['submitted', 'accepted', 'assigned', 'in-progress'], to: 'duplicate' },
  // The reporter disputes a closure; staff then reopen it for review.
  dispute: { from: ['closed', 'partially-closed'], to: 'disputed' },
  reopen: { from: ['disputed'], to: 'in-progress' },
};

export class HandlingError extends Error {}

/** Longest internal note (staff only, never public) kept with a handling step. */
export const MAX_INTERNAL_NOTE = 500;

/** Refuses an internal note that is too long (the form says so too, but forms can be bypassed). */
export function checkInternalNote(note: string | undefined): void {
  if (note && note.length > MAX_INTERNAL_NOTE) throw new HandlingError(`内部备注不能超过 ${MAX_INTERNAL_NOTE} 个字`);
}

function requireText(text: string, what: string) {
  if (!text.trim()) throw new HandlingError(`请填写${what}`);
  if (text.length > 2000) throw new HandlingError(`${what}不能超过 2000 个字`);
}

/**
 * Checks an action against the complaint's state and the rules, and returns
 * the state it leads to. Throws HandlingError with a Chinese message otherwise.
 */
export function applyAction(facts: HandlingFacts, action: HandlingAction): ComplaintState {
  const rule = TRANSITIONS[action.kind];
  if (!rule.from.includes(facts.state)) throw new HandlingError(`当前状态下不能执行此操作`);
  switch (action.kind) {
    case 'reject':
      requireText(action.reason, '不予受理的理由');
      break;
    case 'assign':
      if (!action.unit) throw new HandlingError('请选择承办单位');
      break;
    case 'extend':
      if (facts.extendedDays) throw new HandlingError('办理期限只能延长一次');
      if (!Number.isInteger(action.days) || action.days < 1 || action.days > MAX_EXTENSION_DAYS) {
        throw new HandlingError(`延长天数应为 1 至 ${MAX_EXTENSION_DAYS} 天`);
      }
      requireText(action.reason, '延期理由');
      // Extending does not move a complaint backwards.
      return facts.state === 'accepted' || facts.state === 'assigned' || facts.state === 'partially-closed' ? facts.state : rule.to;
    case 'close-partially':
    case 'close':
      if (!VERDICTS.includes(action.verdict)) throw new HandlingError('请选择核查结论');
      requireText(action.reply, '办理答复');
      break;
    case 'mark-duplicate':
      if (!action.of) throw new HandlingError('请填写重复的受理编号');
      break;
    case 'dispute':
      requireText(action.note, '异议说明');
      break;
    case 'reopen':
      requireText(action.reason, '重新办理的理由');
      break;
  }
  return rule.to;
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

export interface Clocks {
  /** Accept or refuse by this time. */
  decideBy: string;
  /** Close by this time, once accepted (extension included). */
  closeBy?: string | undefined;
  /** The clock that applies now has run out. */
  overdue: boolean;
}

const OPEN_BEFORE_ACCEPTANCE: readonly ComplaintState[] = ['submitted'];
const OPEN_AFTER_ACCEPTANCE: readonly ComplaintState[] = ['accepted', 'assigned', 'in-progress', 'partially-closed', 'disputed'];

/** The statutory clocks of a complaint, as of `now`. */
export function clocks(facts: HandlingFacts, now: string): Clocks {
  const decideBy = addDays(facts.submittedAt, ACCEPT_WITHIN_DAYS);
  const closeBy = facts.acceptedAt ? addDays(facts.acceptedAt, CLOSE_WITHIN_DAYS + (facts.extendedDays ?? 0)) : undefined;
  const overdue =
    (OPEN_BEFORE_ACCEPTANCE.includes(facts.state) && now > decideBy) ||
    (OPEN_AFTER_ACCEPTANCE.includes(facts.state) && closeBy !== undefined && now > closeBy);
  return { decideBy, closeBy, overdue };
}

/**
 * Each unit's on-time rate: complaints it closed within the clock ÷ complaints
 * it closed or that are overdue while with it. Open complaints still in time
 * are not counted yet.
 */
export function onTimeByUnit(
  complaints: readonly { unit: string | null; closedAt: string | null; closeBy: string | undefined; overdue: boolean }[],
): Map<string, { onTime: number; counted: number }> {
  const out = new Map<string, { onTime: number; counted: number }>();
  for (const c of complaints) {
    if (!c.unit) continue;
    const entry = out.get(c.unit) ?? { onTime: 0, counted: 0 };
    if (c.closedAt) {
      entry.counted += 1;
      if (c.closeBy && c.closedAt <= c.closeBy) entry.onTime += 1;
    } else if (c.overdue) {
      entry.counted += 1;
    }
    out.set(c.unit, entry);
  }
  return out;
}

/** Staff roles: admin does everything; a handler works the complaints passed to their unit; a viewer only reads. */
export type StaffRole = 'admin' | 'handler' | 'viewer';

/** Actions staff may take, by role. Triage (accept, refuse, pass on, duplicates, reopening) stays with admins. */
const ROLE_ACTIONS: Record<StaffRole, readonly HandlingAction['kind'][]> = {
  admin: ['accept', 'reject', 'assign', 'start', 'extend', 'close-partially', 'close', 'mark-duplicate', 'reopen'],
  handler: ['start', 'extend', 'close-partially', 'close'],
  viewer: [],
};

/**
 * Whether a staff member may take an action on a complaint: by role, and for
 * handlers only on complaints assigned to their own unit. `dispute` is the
 * reporter's, never staff's.
 */
export function mayTake(staff: { role: StaffRole; unit: string | null }, kind: HandlingAction['kind'], assignedUnit: string | null): boolean {
  if (!ROLE_ACTIONS[staff.role].includes(kind)) return false;
  return staff.role !== 'handler' || (!!staff.unit && staff.unit === assignedUnit);
}

/** Whether a staff member may see a complaint at all (and so its reporter's contact details, audited). */
export function maySee(staff: { role: StaffRole; unit: string | null }, assignedUnit: string | null): boolean {
  return staff.role !== 'handler' || (!!staff.unit && staff.unit === assignedUnit);
}

/** Enforcement figures recorded per complaint, as the 边督边改 tables publish them. */
export const ENFORCEMENT_FIGURES = [
  { id: 'ordered', label: '责令整改', unit: '家' },
  { id: 'penalised', label: '立案处罚', unit: '家' },
  { id: 'fineYuan', label: '罚款', unit: '元' },
  { id: 'investigated', label: '立案侦查', unit: '件' },
  { id: 'detained', label: '拘留', unit: '人' },
  { id: 'summoned', label: '约谈', unit: '人' },
  { id: 'heldAccountable', label: '问责', unit: '人' },
] as const;
export type EnforcementFigures = Partial<Record<(typeof ENFORCEMENT_FIGURES)[number]['id'], number>>;

/** States in which a complaint has been accepted and not refused or merged: enforcement may be recorded. */
const ENFORCEMENT_STATES: readonly ComplaintState[] = ['accepted', 'assigned', 'in-progress', 'partially-closed', 'closed', 'disputed'];

/** Enforcement figures are recorded only for a complaint that was accepted (not one just submitted, refused or merged). */
export function mayRecordEnforcement(state: ComplaintState): boolean {
  return ENFORCEMENT_STATES.includes(state);
}

/** Reads figures as typed in a form: blank is "not recorded"; anything else must be a whole number ≥ 0. */
export function parseEnforcement(raw: Record<string, unknown>): { figures: EnforcementFigures; errors: Record<string, string> } {
  const figures: EnforcementFigures = {};
  const errors: Record<string, string> = {};
  for (const f of ENFORCEMENT_FIGURES) {
    const v = raw[f.id];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) continue;
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isSafeInteger(n) || n < 0) errors[f.id] = `${f.label}应为不小于 0 的整数（${f.unit}）`;
    else figures[f.id] = n;
  }
  return { figures, errors };
}
