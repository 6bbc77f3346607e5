/**
 * Complaint handling rules: who may take which step (the states and the steps
 * between them are the table in complaint-states.ts), what each step needs,
 * and the statutory clocks — a decision to accept or refuse within 15 days
 * of submission, and closure within 60 days of acceptance, extendable once by
 * up to 30 days with a reason the reporter sees.
 */
import { HANDLING_STEPS, isAccepted, isConcluded, isOpen, mayPublish, mayRecordEnforcement, nextState, type ComplaintState, type HandlingKind } from './complaint-states.ts';

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
  const to = nextState(facts.state, action.kind);
  if (!to) throw new HandlingError(`当前状态下不能执行此操作`);
  switch (action.kind) {
    case 'reject':
      requireText(action.reason, '不予受理的理由');
      break;
    case 'assign':
      if (!action.unit) throw new HandlingError('请选择承办单位');
      break;
    case 'extend':
      if (alreadyExtended(facts)) throw new HandlingError('办理期限只能延长一次');
      if (!Number.isInteger(action.days) || action.days < 1 || action.days > MAX_EXTENSION_DAYS) {
        throw new HandlingError(`延长天数应为 1 至 ${MAX_EXTENSION_DAYS} 天`);
      }
      requireText(action.reason, '延期理由');
      break;
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
  return to;
}

/** The deadline may be extended once only. */
const alreadyExtended = (facts: { extendedDays?: number | null | undefined }) => !!facts.extendedDays;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

export interface Clocks {
  /** Accept or refuse by this time. */
  decideBy: string;
  /** Close by this time, once accepted (extension included). */
  closeBy?: string | undefined;
  /** The clock that runs now: the decision before acceptance, the closure after it; none once closed. */
  running: 'decide' | 'close' | null;
  /** The deadline of the running clock (undefined if none runs, or acceptance was not recorded). */
  dueBy?: string | undefined;
  /** The clock that applies now has run out. */
  overdue: boolean;
}

/** The clock that runs in a state: the decision before acceptance, the closure after it, none once closed. */
export function runningClock(state: string): 'decide' | 'close' | null {
  return !isOpen(state) ? null : isAccepted(state) ? 'close' : 'decide';
}

/** The statutory clocks of a complaint, as of `now`: only an open complaint has one running. */
export function clocks(facts: HandlingFacts, now: string): Clocks {
  const decideBy = addDays(facts.submittedAt, ACCEPT_WITHIN_DAYS);
  const closeBy = facts.acceptedAt ? addDays(facts.acceptedAt, CLOSE_WITHIN_DAYS + (facts.extendedDays ?? 0)) : undefined;
  const running = runningClock(facts.state);
  const dueBy = running === 'close' ? closeBy : running === 'decide' ? decideBy : undefined;
  return { decideBy, closeBy, running, dueBy, overdue: dueBy !== undefined && now > dueBy };
}

/**
 * The deadlines a complaint's row stores (`due_by`, `close_by` in db/schema.ts), so that the
 * database can find overdue complaints and count on-time rates through indexes: the same
 * deadlines as `clocks`, which do not depend on the time asked. Overdue at `now` is then
 * `dueBy < now`, as in `clocks`.
 */
export function clockColumns(facts: HandlingFacts): { dueBy: string | null; closeBy: string | null } {
  const c = clocks(facts, '');
  return { dueBy: c.dueBy ?? null, closeBy: c.closeBy ?? null };
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
      if (closedInTime(c.closedAt, c.closeBy)) entry.onTime += 1;
    } else if (c.overdue) {
      entry.counted += 1;
    }
    out.set(c.unit, entry);
  }
  return out;
}

const closedInTime = (closedAt: string, closeBy: string | null | undefined) => !!closeBy && closedAt <= closeBy;

/**
 * What one complaint adds to its unit's on-time rate whatever the time (kept per unit in the
 * database, db/schema.ts `complaintUnitCounts`): passed to the unit; concluded (closed with a
 * result: counted); concluded within its closing deadline (on time). What changes with time —
 * an open complaint running out of time — is `dueBy < now`, counted when asked. Together they are
 * `onTimeByUnit` of the complaints' clocks.
 */
export function unitTally(c: { state: string; unit: string | null; closedAt: string | null; closeBy: string | null | undefined }): { unit: string | null; concluded: 0 | 1; onTime: 0 | 1 } {
  const concluded = isConcluded(c.state) && !!c.closedAt;
  return { unit: c.unit, concluded: concluded ? 1 : 0, onTime: concluded && closedInTime(c.closedAt!, c.closeBy) ? 1 : 0 };
}

/** Staff roles: admin does everything; a handler works the complaints passed to their unit; a viewer only reads. */
export type StaffRole = 'admin' | 'handler' | 'viewer';
/** Who may act on a complaint: staff, or the reporter (through the tracking code). */
export type Actor = StaffRole | 'reporter';

/**
 * What can be done to a complaint: the steps of the state table, and the operations that
 * leave its state as it is (enforcement figures, publishing and withdrawing the record).
 */
export type Operation = HandlingKind | 'record-enforcement' | 'publish' | 'unpublish';
export const OPERATIONS: readonly Operation[] = [...(Object.keys(HANDLING_STEPS) as HandlingKind[]), 'record-enforcement', 'publish', 'unpublish'];

/** Operations by role. Triage (accept, refuse, pass on, duplicates, reopening) and publishing stay with admins. */
const ROLE_OPERATIONS: Record<Actor, readonly Operation[]> = {
  admin: ['accept', 'reject', 'assign', 'start', 'extend', 'close-partially', 'close', 'mark-duplicate', 'reopen', 'record-enforcement', 'publish', 'unpublish'],
  handler: ['start', 'extend', 'close-partially', 'close', 'record-enforcement'],
  viewer: [],
  reporter: ['dispute'],
};

/**
 * Whether someone may take an operation on a complaint, whatever its state: by role, and for
 * handlers only on complaints assigned to their own unit. `dispute` is the reporter's, never staff's.
 */
export function mayTake(actor: { role: Actor; unit: string | null }, kind: Operation, assignedUnit: string | null): boolean {
  if (!ROLE_OPERATIONS[actor.role].includes(kind)) return false;
  return actor.role !== 'handler' || (!!actor.unit && actor.unit === assignedUnit);
}

/** What besides its state decides whether an operation may be taken on a complaint. */
export interface OperationFacts {
  /** Days the deadline was extended by (once only). */
  extendedDays?: number | null | undefined;
  /** The reporter consented to publication. */
  consentPublish?: boolean | undefined;
  /** The redacted record is published now. */
  published?: boolean | undefined;
}

/** Whether a complaint in `state` (with `facts`) allows an operation, whoever asks. */
function stateAllows(state: ComplaintState, kind: Operation, facts: OperationFacts): boolean {
  switch (kind) {
    case 'record-enforcement':
      return mayRecordEnforcement(state);
    case 'publish':
      return mayPublish(state) && !!facts.consentPublish;
    case 'unpublish':
      // A published record can always be withdrawn, whatever happened to the complaint since.
      return !!facts.published;
    case 'extend':
      return nextState(state, kind) !== undefined && !alreadyExtended(facts);
    default:
      return nextState(state, kind) !== undefined;
  }
}

/**
 * The operations someone may take on a complaint now, in table order: what the staff page
 * offers forms for and the tracking page offers the dispute form for. Without `facts`, the
 * complaint counts as not extended, not consented to publication and not published.
 */
export function allowedActions(state: ComplaintState, role: Actor, unit: string | null, assignedUnit: string | null, facts: OperationFacts = {}): Operation[] {
  return OPERATIONS.filter((kind) => mayTake({ role, unit }, kind, assignedUnit) && stateAllows(state, kind, facts));
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

/** 责令整改 2 家，罚款 50000 元 …; figures not recorded are left out, and none at all is “—”. */
export function enforcementText(figures: Record<string, number>): string {
  const parts = ENFORCEMENT_FIGURES.filter((f) => figures[f.id] !== undefined).map((f) => `${f.label} ${figures[f.id]} ${f.unit}`);
  return parts.length ? parts.join('，') : '—';
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
