/**
 * What the portal does with complaints, apart from how it is asked: the JSON
 * API (functions/complaints.ts, functions/staff-api.ts), the HTML pages
 * (functions/routes/) and Open311 (functions/open311.ts) all call these.
 * The rules themselves live in src/domain/complaint-handling.ts.
 */
import { and, eq, inArray, isNotNull, isNull, like, sql, type SQL } from 'drizzle-orm';
import { auditLog, complaintEvents, complaintItems, complaintPhotos, complaints, complaintUnitCounts, outbox, sequences } from '../db/schema.ts';
import { todayInChina } from '../src/domain/dates.ts';
import { formatTrackingCode, newTrackingCode, normaliseReference, normaliseTrackingCode, type ComplaintInput } from '../src/domain/complaint.ts';
import {
  allowedActions,
  applyAction,
  checkInternalNote,
  clockColumns,
  clocks,
  ENFORCEMENT_FIGURES,
  HandlingError,
  mayTake,
  maySee,
  unitTally,
  type Clocks,
  type EnforcementFigures,
  type HandlingAction,
  type StaffRole,
} from '../src/domain/complaint-handling.ts';
import { complaintStateLabel, INITIAL_STATE, isOpen, mayDispute, mayPublish, mayRecordEnforcement, type ComplaintState } from '../src/domain/complaint-states.ts';
import { isReporterMailStep, reporterMail, type ReporterMailFacts, type ReporterMailStep } from '../src/domain/complaint-mail.ts';
import { outboxValues, type MailSettings } from './mail/outbox.ts';
import { regionWithAncestors, type Reference } from '../src/site/reference.ts';
import { decryptJson, encryptJson, saltedHash } from './crypto.ts';
import { toStatement, type Database } from './db.ts';
import type { PhotoStore } from './photo-store.ts';
import { reboundStatements } from './rebound.ts';
import type { InStatement } from '@libsql/client';
import { removeStatements, upsertStatements, type SearchDocument } from '../src/search/index-store.ts';

export type ComplaintRow = typeof complaints.$inferSelect;

export interface Receipt {
  /** The public reference number (受理编号). */
  reference: string;
  /** The reporter's secret: shown on the receipt once and used only in their tracking link. */
  trackingCode: string;
  trackingCodeDisplay: string;
  receivedAt: string;
  state: string;
  stateLabel: string;
  /** The public tracking page. */
  trackUrl: string;
}

export function receiptOf(row: { reference: string | null; trackingCode: string; createdAt: string; state: string }): Receipt {
  return {
    reference: row.reference ?? '',
    trackingCode: row.trackingCode,
    trackingCodeDisplay: formatTrackingCode(row.trackingCode),
    receivedAt: row.createdAt,
    state: row.state,
    stateLabel: complaintStateLabel(row.state),
    trackUrl: `/complaints/track/${row.trackingCode}/`,
  };
}

/** SQLite reports a violated UNIQUE constraint this way; the cause may be wrapped by drizzle. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed')) return true;
  }
  return false;
}

export interface IntakeDeps extends ReporterMailer {
  db: Database;
  photos?: PhotoStore | undefined;
}

/**
 * What mailing a reporter about their complaint needs: the key their address is encrypted
 * with, and the site's address for the links. Without `mail`, no reporter mail is queued.
 */
export interface ReporterMailer {
  contactKey: CryptoKey;
  mail?: MailSettings | undefined;
}

type OutboxInsert = typeof outbox.$inferInsert;

/** The reference number is drawn in SQL inside the intake batch: the received mail names it through this slot, filled in the same statement. */
const REFERENCE_SLOT = '\u2063受理编号\u2063';

/** An absolute link on the site, for mails (their readers are not on the site). */
const absolute = (mail: MailSettings, path: string) => `${mail.siteUrl.replace(/\/+$/, '')}${path}`;

/**
 * The outbox row telling the reporter about a step, if they asked to be mailed and gave an
 * address; undefined otherwise. Written by the caller in the step's own transaction.
 */
async function reporterNotice(
  mailer: ReporterMailer | undefined,
  row: Pick<ComplaintRow, 'id' | 'reference' | 'trackingCode' | 'createdAt' | 'acceptedAt' | 'extendedDays' | 'notifyByEmail' | 'contactCiphertext'>,
  step: ReporterMailStep,
  after: { state: ComplaintState; acceptedAt?: string | null | undefined; extendedDays?: number | null | undefined },
  at: Date,
  facts: Partial<ReporterMailFacts> = {},
  email?: string,
): Promise<OutboxInsert | undefined> {
  if (!mailer?.mail || !row.notifyByEmail) return undefined;
  let to = email;
  if (!to && row.contactCiphertext) {
    try {
      to = (await decryptJson<{ email?: string }>(mailer.contactKey, row.contactCiphertext, row.id)).email;
    } catch {
      // A key that no longer opens the contact must not stop the step itself.
      console.error('无法解密投诉人联系方式：未生成办理进展邮件。');
    }
  }
  if (!to) return undefined;
  const iso = at.toISOString();
  const clock = clocks({ state: after.state, submittedAt: row.createdAt, acceptedAt: after.acceptedAt ?? row.acceptedAt, extendedDays: after.extendedDays ?? row.extendedDays }, iso);
  const { subject, text } = reporterMail(step, {
    reference: row.reference ?? '',
    trackUrl: absolute(mailer.mail, receiptOf({ ...row, state: after.state }).trackUrl),
    trackingCodeDisplay: formatTrackingCode(row.trackingCode),
    at: iso,
    stateLabel: complaintStateLabel(after.state),
    decideBy: clock.running === 'decide' ? clock.decideBy : undefined,
    closeBy: clock.closeBy,
    disputable: mayDispute(after.state),
    ...facts,
  });
  return outboxValues(mailer.contactKey, { kind: `complaint:${step}`, complaintId: row.id, to, subject, text }, at);
}

/** A photo that passed src/domain/photos.ts: type sniffed, metadata stripped. */
export interface CheckedPhoto {
  type: string;
  bytes: Uint8Array;
}

/** One prepared lookup per database: every intake makes it, and building drizzle's SQL costs more than running it. */
const byKeyLookups = new WeakMap<Database, ReturnType<typeof prepareByKey>>();
function prepareByKey(db: Database) {
  return db.query.complaints.findFirst({ where: eq(complaints.idempotencyKey, sql.placeholder('key')) }).prepare();
}
function findByIdempotencyKey(db: Database, key: string): Promise<ComplaintRow | undefined> {
  let lookup = byKeyLookups.get(db);
  if (!lookup) byKeyLookups.set(db, (lookup = prepareByKey(db)));
  return lookup.execute({ key });
}

/** The same idempotency key was sent before with a different body: the second complaint is refused, not merged. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('该 Idempotency-Key 已用于另一份不同的提交。');
  }
}

/** A digest of what was submitted (fields and photos), bound to the idempotency key it came with. */
export async function requestDigestOf(input: ComplaintInput, photos: readonly CheckedPhoto[] = []): Promise<string> {
  const photoDigests = await Promise.all(
    photos.map(async (p) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', p.bytes as Uint8Array<ArrayBuffer>)), (b) => b.toString(16).padStart(2, '0')).join('')),
  );
  return saltedHash('request', JSON.stringify([input, photoDigests]));
}

/**
 * Stores a validated complaint and returns its receipt. The receipt exists
 * only once the complaint and its first history entry are committed together;
 * a second call with the same `idempotencyKey` and the same body returns the
 * first receipt (`replay: true`) and stores nothing; with another body it
 * throws IdempotencyKeyReusedError and stores nothing.
 */
export async function submitComplaint(
  deps: IntakeDeps,
  input: ComplaintInput,
  meta: { idempotencyKey: string; clientHash: string; at: Date; photos?: readonly CheckedPhoto[] },
): Promise<{ receipt: Receipt; replay: boolean }> {
  const { db } = deps;
  const requestDigest = await requestDigestOf(input, meta.photos);
  const replayOf = (row: ComplaintRow) => {
    // Rows stored before digests existed have none: the key alone decided then.
    if (row.requestDigest && row.requestDigest !== requestDigest) throw new IdempotencyKeyReusedError();
    return { receipt: receiptOf(row), replay: true };
  };
  const existing = await findByIdempotencyKey(db, meta.idempotencyKey);
  if (existing) return replayOf(existing);

  const id = crypto.randomUUID();
  const at = meta.at.toISOString();
  const contact = input.anonymous ? null : await encryptJson(deps.contactKey, { name: input.name, phone: input.phone, email: input.email }, id);
  // Photos go to the store first: a row never points at a photo that is not there.
  // A failed commit leaves an unreferenced photo, which is harmless.
  const photoRows: (typeof complaintPhotos.$inferInsert)[] = [];
  for (const photo of meta.photos ?? []) {
    if (!deps.photos) throw new Error('photo store not configured');
    const photoId = crypto.randomUUID();
    const storageKey = `complaints/${id}/${photoId}`;
    await deps.photos.put(storageKey, photo.bytes, photo.type);
    photoRows.push({ id: photoId, complaintId: id, storageKey, contentType: photo.type, bytes: photo.bytes.byteLength, createdAt: at });
  }
  // The reference number is drawn from the year's counter inside the same transaction as the row:
  // a rolled-back write leaves no gap-making increment behind, and two writers never share a number.
  const year = todayInChina(meta.at).slice(0, 4);
  const counter = `complaint:${year}`;
  let reference = '';
  const notify = !input.anonymous && input.notifyByEmail && !!input.email;
  const outcome = await writeWithFreshCode(
    async (trackingCode) => {
      // The receipt mail, in the same batch as the complaint: it exists exactly when the complaint does.
      const notice = notify
        ? await reporterNotice(
            deps,
            { id, reference: REFERENCE_SLOT, trackingCode, createdAt: at, acceptedAt: null, extendedDays: null, notifyByEmail: true, contactCiphertext: null },
            'received',
            { state: INITIAL_STATE },
            meta.at,
            {},
            input.email,
          )
        : undefined;
      const thisReference = sql`(select ${complaints.reference} from ${complaints} where ${complaints.id} = ${id})`;
      const results = await db.batch([
        db.insert(sequences).values({ name: counter, value: 1 }).onConflictDoUpdate({ target: sequences.name, set: { value: sql`${sequences.value} + 1` } }),
        db.insert(complaints).values({
          id, trackingCode, idempotencyKey: meta.idempotencyKey, requestDigest, state: INITIAL_STATE,
          reference: sql`(select printf('%s-%06d', ${year}, ${sequences.value}) from ${sequences} where ${sequences.name} = ${counter})`,
          pollutionTypes: input.pollutionTypes, region: input.region, address: input.address,
          latitude: input.latitude ?? null, longitude: input.longitude ?? null, observedAt: input.observedAt,
          description: input.description, suspectedPolluter: input.suspectedPolluter ?? null,
          anonymous: input.anonymous, contactCiphertext: contact, consentPublish: input.consentPublish, notifyByEmail: notify,
          clientHash: meta.clientHash, createdAt: at, updatedAt: at,
          ...clockColumns({ state: INITIAL_STATE, submittedAt: at }),
        }).returning({ reference: complaints.reference }),
        db.insert(complaintEvents).values({ complaintId: id, at, actor: 'reporter', action: 'submit', state: INITIAL_STATE }),
        // A possible rebound of a watched item is flagged with the complaint itself (functions/rebound.ts).
        ...reboundStatements({ id, region: input.region, pollutionTypes: input.pollutionTypes, createdAt: at }).map((s) => db.run(s)),
        ...photoRows.map((p) => db.insert(complaintPhotos).values(p)),
        ...(notice
          ? [db.insert(outbox).values({ ...notice, subject: sql`replace(${notice.subject}, ${REFERENCE_SLOT}, ${thisReference})`, body: sql`replace(${notice.body}, ${REFERENCE_SLOT}, ${thisReference})` })]
          : []),
      ] as unknown as Parameters<typeof db.batch>[0]);
      reference = (results[1] as unknown as { reference: string }[])[0]!.reference;
    },
    () => findByIdempotencyKey(db, meta.idempotencyKey),
  );
  return 'winner' in outcome
    ? replayOf(outcome.winner)
    : { receipt: receiptOf({ reference, trackingCode: outcome.trackingCode, createdAt: at, state: INITIAL_STATE }), replay: false };
}

/**
 * Writes a new record under a fresh random tracking code. If the write hits a
 * UNIQUE constraint, either a concurrent retry with the same idempotency key
 * won the race (its row is returned as `winner`), or the random code collided
 * and another is drawn.
 */
export async function writeWithFreshCode<T>(
  write: (trackingCode: string) => Promise<unknown>,
  findSameKey: () => Promise<T | undefined>,
): Promise<{ trackingCode: string } | { winner: T }> {
  for (let attempt = 0; ; attempt++) {
    const trackingCode = newTrackingCode();
    try {
      await write(trackingCode);
      return { trackingCode };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await findSameKey();
      if (winner) return { winner };
      if (attempt >= 3) throw error;
    }
  }
}

/** The reporter's lookup: by the secret tracking code only. */
export async function findByCode(db: Database, input: string): Promise<ComplaintRow | undefined> {
  const code = normaliseTrackingCode(input);
  return code ? db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }) : undefined;
}

/** Staff's lookup: by the public reference number. */
export async function findByReference(db: Database, input: string): Promise<ComplaintRow | undefined> {
  const ref = normaliseReference(input);
  return ref ? db.query.complaints.findFirst({ where: eq(complaints.reference, ref) }) : undefined;
}

/** Whether a complaint's record is public: published by staff, with its reporter's consent. */
export function isPublished(row: Pick<ComplaintRow, 'publishedAt' | 'consentPublish' | 'publication'>): boolean {
  return !!row.publishedAt && row.consentPublish && !!row.publication;
}

/** A published complaint by its reference number; undefined unless it is public. */
export async function findPublished(db: Database, input: string): Promise<(ComplaintRow & { publication: Publication; publishedAt: string }) | undefined> {
  const row = await findByReference(db, input);
  return row && isPublished(row) ? (row as ComplaintRow & { publication: Publication; publishedAt: string }) : undefined;
}

/** One step of a complaint's history as the reporter and the public may see it. */
export interface PublicStep {
  at: string;
  state: string;
  stateLabel: string;
  publicNote: string | null;
}

/** What the tracking page shows: never contact details, internal notes, address or photos. */
export interface PublicComplaintView extends Receipt {
  pollutionTypes: string[];
  region: string;
  assignedUnit: string | null;
  verdict: string | null;
  extension: { days: number; reason: string } | null;
  decideBy: string;
  closeBy: string | null;
  overdue: boolean;
  /** Reference number of the complaint this one repeats (public; never its tracking code). */
  duplicateOf: string | null;
  /** Reference numbers of later complaints marked as repeating this one. */
  duplicates: string[];
  /** Whether the public record of this complaint is published (at /complaints/<reference>/). */
  published: boolean;
  disputable: boolean;
  /** Whether each public step is mailed to the reporter (they asked on the form and have not stopped it). */
  mailing: boolean;
  timeline: PublicStep[];
}

export async function publicView(db: Database, row: ComplaintRow, now: Date): Promise<PublicComplaintView> {
  const [events, dupes] = await Promise.all([
    db.query.complaintEvents.findMany({ where: eq(complaintEvents.complaintId, row.id), orderBy: (e, { asc }) => [asc(e.id)] }),
    db.select({ reference: complaints.reference }).from(complaints).where(eq(complaints.duplicateOf, row.reference ?? '\u0000')),
  ]);
  const clock = clocks(factsOf(row), now.toISOString());
  return {
    ...receiptOf(row),
    pollutionTypes: row.pollutionTypes,
    region: row.region,
    assignedUnit: row.assignedUnit,
    verdict: row.verdict,
    extension: row.extendedDays ? { days: row.extendedDays, reason: row.extensionReason ?? '' } : null,
    decideBy: clock.decideBy,
    closeBy: clock.closeBy ?? null,
    overdue: clock.overdue,
    duplicateOf: row.duplicateOf,
    duplicates: dupes.map((d) => d.reference ?? '').filter(Boolean),
    published: isPublished(row),
    disputable: allowedActions(row.state as ComplaintState, 'reporter', null, row.assignedUnit).includes('dispute'),
    mailing: row.notifyByEmail,
    timeline: events.map((e) => ({ at: e.at, state: e.state, stateLabel: complaintStateLabel(e.state), publicNote: e.publicNote ?? null })),
  };
}

function factsOf(row: Pick<ComplaintRow, 'state' | 'createdAt' | 'acceptedAt' | 'extendedDays'>) {
  return { state: row.state as ComplaintState, submittedAt: row.createdAt, acceptedAt: row.acceptedAt, extendedDays: row.extendedDays };
}

/**
 * The reporter (or whoever holds the tracking link a mail carried: an address typed by someone
 * else gets mail too, and this is how it stops) ends the progress mails of a complaint: none is
 * queued after this, and those queued but not yet sent are withdrawn, in one transaction.
 */
export async function stopReporterMail(db: Database, row: Pick<ComplaintRow, 'id'>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(complaints).set({ notifyByEmail: false }).where(eq(complaints.id, row.id));
    // The reporter's mails only (`complaint:<step>`), not staff's about the same complaint.
    await tx.delete(outbox).where(and(eq(outbox.complaintId, row.id), like(outbox.kind, 'complaint:%'), isNull(outbox.sentAt)));
  });
}

/** What the public and Open311 see of a dispute: reporter-written text is never published unreviewed. */
export const DISPUTE_PUBLIC_NOTE = '投诉人对办理结果提出异议';

/**
 * The reporter disputes a closure, with a note; the complaint goes back to staff for review.
 * The note is kept for staff only (as the step's internal note); staff may publish a summary
 * when they reopen the complaint.
 */
export async function disputeByReporter(db: Database, row: ComplaintRow, note: string, at: Date): Promise<void> {
  const state = applyAction(factsOf(row), { kind: 'dispute', note });
  await commitStep(db, row, { state, at, actor: 'reporter', action: 'dispute', publicNote: DISPUTE_PUBLIC_NOTE, internalNote: note.trim(), set: {} });
}

/** A signed-in staff member, as the handling code needs to know them. */
export interface Staff {
  id: string;
  role: StaffRole;
  unit: string | null;
}

export class ForbiddenError extends Error {}
export class ConflictError extends Error {}

/**
 * Takes one handling step on a complaint for a staff member: checks their
 * role and unit, the state machine, writes the new state, the history entry
 * and the audit entry in one transaction. A concurrent change of the same
 * complaint makes this fail with ConflictError rather than overwrite it.
 */
export async function takeAction(
  db: Database,
  ref: Reference,
  staff: Staff,
  row: ComplaintRow,
  action: HandlingAction,
  at: Date,
  internalNote?: string,
  mailer?: ReporterMailer,
): Promise<ComplaintState> {
  if (!mayTake(staff, action.kind, row.assignedUnit)) throw new ForbiddenError('您的账号无权对该投诉执行此操作。');
  checkInternalNote(internalNote);
  const state = applyAction(factsOf(row), action);
  const set: Partial<ComplaintRow> = {};
  let publicNote: string | null = null;
  /** What the reporter's mail about this step says besides the state. */
  let facts: Partial<ReporterMailFacts> = {};
  const iso = at.toISOString();
  switch (action.kind) {
    case 'accept':
      set.acceptedAt = iso;
      break;
    case 'reject':
      publicNote = `不予受理：${action.reason.trim()}`;
      facts = { reason: action.reason.trim() };
      set.closedAt = iso;
      break;
    case 'assign': {
      const unit = ref.units.find((u) => u.id === action.unit);
      if (!unit) throw new HandlingError('承办单位不在单位名录中');
      set.assignedUnit = unit.id;
      publicNote = `已转交${unit.name}办理`;
      facts = { unitName: unit.name };
      break;
    }
    case 'extend':
      set.extendedDays = action.days;
      set.extensionReason = action.reason.trim();
      publicNote = `办理期限延长 ${action.days} 天：${action.reason.trim()}`;
      facts = { extensionDays: action.days, reason: action.reason.trim() };
      break;
    case 'close':
    case 'close-partially':
      set.verdict = action.verdict;
      set.closedAt = iso;
      publicNote = `核查结论：${action.verdict}。${action.reply.trim()}`;
      facts = { verdict: action.verdict, reason: action.reply.trim() };
      break;
    case 'mark-duplicate': {
      const original = await findByReference(db, action.of);
      if (!original?.reference) throw new HandlingError('没有找到所填的受理编号');
      if (original.id === row.id) throw new HandlingError('不能标记为与自身重复');
      set.duplicateOf = original.reference;
      set.closedAt = iso;
      publicNote = `与受理编号 ${original.reference} 的投诉重复，合并办理`;
      facts = { duplicateOf: original.reference };
      break;
    }
    case 'reopen':
      set.closedAt = null;
      publicNote = `重新办理：${action.reason.trim()}`;
      facts = { reason: action.reason.trim() };
      break;
    case 'start':
      break;
    case 'dispute':
      throw new ForbiddenError('异议由投诉人提出。');
  }
  const notice = isReporterMailStep(action.kind) ? await reporterNotice(mailer, row, action.kind, { state, acceptedAt: set.acceptedAt, extendedDays: set.extendedDays }, at, facts) : undefined;
  await commitStep(db, row, { state, at, actor: staff.id, action: action.kind, publicNote, internalNote: internalNote?.trim() || null, set, notice });
  return state;
}

/**
 * Writes a step: the complaint's new state (only if nobody changed it since
 * it was read: its `version` is checked and incremented), its history entry,
 * for staff the audit entry, and the reporter's mail about it (`notice`) — together:
 * a step that is not committed sends nothing.
 */
async function commitStep(
  db: Database,
  row: ComplaintRow,
  step: { state: string; at: Date; actor: string; action: string; publicNote: string | null; internalNote?: string | null; set: Partial<ComplaintRow>; notice?: OutboxInsert | undefined },
) {
  const at = step.at.toISOString();
  const after = { ...row, ...step.set, state: step.state };
  // The stored deadlines and the unit's counts follow every step (db/schema.ts `dueBy`, `complaintUnitCounts`).
  const columns = clockColumns(factsOf(after));
  const tallies = unitCountChanges(row, { ...after, ...columns });
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(complaints)
      .set({ ...step.set, ...columns, state: step.state, updatedAt: at, version: row.version + 1 })
      .where(and(eq(complaints.id, row.id), eq(complaints.version, row.version)))
      .returning({ id: complaints.id });
    if (updated.length === 0) throw new ConflictError('该投诉已被他人更新，请刷新后重试。');
    await tx.insert(complaintEvents).values({
      complaintId: row.id, at, actor: step.actor, action: step.action, state: step.state,
      publicNote: step.publicNote, internalNote: step.internalNote ?? null,
    });
    if (step.actor !== 'reporter') {
      await tx.insert(auditLog).values({ at, actor: step.actor, action: `complaint_${step.action}`, target: row.id, detail: complaintStateLabel(step.state) });
    }
    if (step.notice) await tx.insert(outbox).values(step.notice);
    for (const t of tallies) {
      await tx
        .insert(complaintUnitCounts)
        .values({ unit: t.unit, ...t.change })
        .onConflictDoUpdate({
          target: complaintUnitCounts.unit,
          set: {
            assigned: sql`${complaintUnitCounts.assigned} + ${t.change.assigned}`,
            concluded: sql`${complaintUnitCounts.concluded} + ${t.change.concluded}`,
            onTime: sql`${complaintUnitCounts.onTime} + ${t.change.onTime}`,
          },
        });
    }
  });
}

type TallyRow = Pick<ComplaintRow, 'state' | 'assignedUnit' | 'closedAt' | 'closeBy'>;

/** How a step changes the per-unit counts: the row's tally before is taken off its unit, the tally after added to its (new) unit. */
export function unitCountChanges(before: TallyRow, after: TallyRow): { unit: string; change: { assigned: number; concluded: number; onTime: number } }[] {
  const tally = (r: TallyRow) => unitTally({ state: r.state, unit: r.assignedUnit, closedAt: r.closedAt, closeBy: r.closeBy });
  const changes = new Map<string, { assigned: number; concluded: number; onTime: number }>();
  for (const [t, sign] of [[tally(before), -1], [tally(after), 1]] as const) {
    if (!t.unit) continue;
    const c = changes.get(t.unit) ?? { assigned: 0, concluded: 0, onTime: 0 };
    c.assigned += sign;
    c.concluded += sign * t.concluded;
    c.onTime += sign * t.onTime;
    changes.set(t.unit, c);
  }
  return [...changes].filter(([, c]) => c.assigned || c.concluded || c.onTime).map(([unit, change]) => ({ unit, change }));
}

/**
 * Runs `statements` in one write transaction after moving the complaint from
 * the version it was read at to the next one (and `set`); if someone changed
 * it meanwhile, nothing is written and ConflictError is thrown.
 */
async function writeAtVersion(db: Database, row: ComplaintRow, set: Partial<ComplaintRow>, statements: InStatement[]) {
  const tx = await db.$client.transaction('write');
  try {
    const bump = toStatement(
      db.update(complaints).set({ ...set, version: row.version + 1 }).where(and(eq(complaints.id, row.id), eq(complaints.version, row.version))).returning({ id: complaints.id }),
    );
    if ((await tx.execute(bump)).rows.length === 0) throw new ConflictError('该投诉已被他人更新，请刷新后重试。');
    if (statements.length) await tx.batch(statements);
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** Whether two sets of figures are the same (figures not recorded count as absent). */
const sameFigures = (a: EnforcementFigures | null | undefined, b: EnforcementFigures) =>
  ENFORCEMENT_FIGURES.every((f) => (a?.[f.id] ?? null) === (b[f.id] ?? null));

/**
 * Records enforcement figures (admin, or the handler of the assigned unit), only once the
 * complaint was accepted. Changing the figures of a published record withdraws it from
 * publication (and from search) until an admin publishes it again; both are audited.
 */
export async function recordEnforcement(db: Database, staff: Staff, row: ComplaintRow, figures: EnforcementFigures, at: Date) {
  if (!mayTake(staff, 'record-enforcement', row.assignedUnit)) throw new ForbiddenError('您的账号无权对该投诉执行此操作。');
  if (!mayRecordEnforcement(row.state)) throw new HandlingError('受理之后才能记录查处情况。');
  const iso = at.toISOString();
  const withdraw = isPublished(row) && !sameFigures(row.enforcement, figures);
  const statements = [toStatement(db.insert(auditLog).values({ at: iso, actor: staff.id, action: 'complaint_enforcement', target: row.id, detail: JSON.stringify(figures) }))];
  if (withdraw) {
    statements.push(
      toStatement(db.insert(auditLog).values({ at: iso, actor: staff.id, action: 'complaint_unpublish', target: row.id, detail: '查处情况已变更，撤回公开，待管理员重新公开' })),
      ...removeStatements(complaintDocumentId(row)),
    );
  }
  await writeAtVersion(db, row, { enforcement: figures, updatedAt: iso, ...(withdraw ? { publishedAt: null } : {}) }, statements);
  return { withdrawn: withdraw };
}

export interface Publication {
  summary: string;
  investigation: string;
  result: string;
}

/**
 * Publishes the redacted record of a handled complaint (admin only). Only
 * complaints whose reporter consented, and that have a result (mayPublish:
 * 阶段性办结, 已办结, 有异议), can be published; the text is what staff wrote for the public, never the reporter's.
 */
export async function publish(db: Database, ref: Reference, staff: Staff, row: ComplaintRow, publication: Publication | null, at: Date) {
  if (!mayTake(staff, publication ? 'publish' : 'unpublish', row.assignedUnit)) throw new ForbiddenError('只有管理员可以公开或撤回办理结果。');
  if (publication) {
    if (!row.consentPublish) throw new HandlingError('投诉人未同意公开，不能公开');
    if (!mayPublish(row.state)) throw new HandlingError('办结（或阶段性办结）后才能公开');
    for (const [k, label] of [['summary', '交办问题基本情况'], ['investigation', '调查核实情况'], ['result', '处理和整改情况']] as const) {
      if (!publication[k].trim()) throw new HandlingError(`请填写${label}`);
      if (publication[k].length > 2000) throw new HandlingError(`${label}不能超过 2000 个字`);
    }
  }
  const iso = at.toISOString();
  const text = publication && { summary: publication.summary.trim(), investigation: publication.investigation.trim(), result: publication.result.trim() };
  const audit = toStatement(db.insert(auditLog).values({ at: iso, actor: staff.id, action: text ? 'complaint_publish' : 'complaint_unpublish', target: row.id }));
  // The search index changes in the same transaction: a complaint is findable exactly while it is published.
  const index = text ? upsertStatements(complaintSearchDocument(ref, { ...row, publication: text, publishedAt: iso })) : removeStatements(complaintDocumentId(row));
  // Withdrawing keeps the text, so that an admin can publish it again after a review.
  await writeAtVersion(db, row, { ...(text ? { publication: text } : {}), publishedAt: text ? iso : null, updatedAt: iso }, [audit, ...index]);
}

/** The search document id of a complaint: by its public reference number. */
export const complaintDocumentId = (row: Pick<ComplaintRow, 'reference'>) => `complaint:${row.reference}`;

/** The public page of a published complaint. */
export const publishedUrl = (reference: string) => `/complaints/${reference}/`;

/**
 * Puts every published complaint back into the search index (after `npm run search:index`
 * or migration 0004, which removed the documents keyed by tracking code). Returns how many.
 */
export async function reindexPublished(db: Database, ref: Reference): Promise<number> {
  const docs = await publishedDocuments(db, ref);
  for (let i = 0; i < docs.length; i += 200) await db.$client.batch(docs.slice(i, i + 200).flatMap(upsertStatements), 'write');
  return docs.length;
}

/** The search documents of every published complaint (published with the reporter's consent). */
export async function publishedDocuments(db: Database, ref: Reference): Promise<SearchDocument[]> {
  const rows = await db.select().from(complaints).where(and(isNotNull(complaints.publishedAt), eq(complaints.consentPublish, true)));
  return rows.filter(isPublished).map((r) => complaintSearchDocument(ref, r as ComplaintRow & { publication: Publication; publishedAt: string }));
}

/** A published complaint as a search document: only what the public list shows. */
export function complaintSearchDocument(ref: Reference, row: ComplaintRow & { publication: Publication; publishedAt: string }): SearchDocument {
  return {
    id: complaintDocumentId(row),
    source: 'complaint',
    kind: 'complaint',
    title: `投诉办理结果 ${row.reference}：${row.publication.summary.slice(0, 40)}`,
    url: publishedUrl(row.reference ?? ''),
    date: row.publishedAt.slice(0, 10),
    fields: [
      { key: 'summary', label: '交办问题基本情况', column: 'problem', text: row.publication.summary },
      { key: 'investigation', label: '调查核实情况', column: 'body', text: row.publication.investigation },
      { key: 'result', label: '处理和整改情况', column: 'body', text: row.publication.result },
    ],
    facets: { region: regionWithAncestors(ref, row.region), unit: row.assignedUnit ? [row.assignedUnit] : [], pollution: row.pollutionTypes },
  };
}

/** Decrypts a reporter's contact details for staff who may see the complaint; the view is audited first. */
export async function viewContact(db: Database, key: CryptoKey, staff: Staff, row: ComplaintRow, at: Date) {
  if (!maySee(staff, row.assignedUnit) || staff.role === 'viewer') throw new ForbiddenError('您的账号无权查看投诉人联系方式。');
  if (!row.contactCiphertext) return null;
  await db.insert(auditLog).values({ at: at.toISOString(), actor: staff.id, action: 'view_contact', target: row.id });
  return decryptJson<{ name?: string; phone?: string; email?: string }>(key, row.contactCiphertext, row.id);
}

/** Lists are counted exactly up to this many rows; beyond it they say “more than”. */
export const COUNT_CAP = 10_000;

/**
 * Where a page of a list starts: after (older than) or before (newer than) the complaint with
 * this public reference number. Lists are newest first, ties by reference number: the paging
 * key (created_at, reference) is the tail of every list index (db/schema.ts), so a page is one
 * index range however deep it is, never an OFFSET.
 */
export interface PageKey {
  after?: string | undefined;
  before?: string | undefined;
}

export interface KeysetPage<T> {
  rows: T[];
  /** Rows matching, counted up to COUNT_CAP (`capped` when there are more). */
  total: number;
  capped: boolean;
  /** The first row's reference when rows come before it (`?before=`), the last row's when rows follow it (`?after=`). */
  prev?: string | undefined;
  next?: string | undefined;
}

/**
 * Which index a list reads (SQLite's `INDEXED BY`): the caller names it from the filters asked,
 * as SQLite without statistics may pick an index whose rows it must then look up one by one.
 * Every list index carries the other filters' columns, so the filters it does not lead with are
 * checked in the index. `byRegion` leads with the region (one range per region, merged); without
 * a region filter, or with another driver, it is not used. With neither, SQLite chooses (a
 * reference number: its unique index).
 */
interface Driver {
  index?: string | undefined;
  byRegion?: string | undefined;
}

/**
 * One page of complaints matching `where` (and, if given, in one of `regions`), newest first,
 * plus the capped count. A region list is read as one index range per region, merged: SQLite
 * would otherwise sort every matching row to find the newest. Rows are read by reference once
 * their keys are known.
 */
async function keysetPage(db: Database, where: SQL[], regions: readonly string[] | undefined, driver: Driver, key: PageKey, limit: number): Promise<KeysetPage<ComplaintRow>> {
  const cursorRef = key.after ?? key.before;
  const cursor = cursorRef ? (await db.select({ createdAt: complaints.createdAt, reference: complaints.reference }).from(complaints).where(eq(complaints.reference, cursorRef)).limit(1))[0] : undefined;
  // A cursor that names no complaint starts from the newest, as a first page.
  const backwards = !!cursor && !key.after;
  const page: SQL[] = cursor
    ? [backwards ? sql`(${complaints.createdAt}, ${complaints.reference}) > (${cursor.createdAt}, ${cursor.reference})` : sql`(${complaints.createdAt}, ${complaints.reference}) < (${cursor.createdAt}, ${cursor.reference})`]
    : [];
  const order = backwards ? sql`created_at asc, reference asc` : sql`created_at desc, reference desc`;
  const all = (parts: SQL[]) => (parts.length ? and(...parts)! : sql`1`);
  const from = (index: string | undefined) => (index ? sql`${complaints} indexed by ${sql.identifier(index)}` : sql`${complaints}`);
  const regionWhere = regions?.length ? [inArray(complaints.region, [...regions])] : [];
  const perRegion = !!regions?.length && !driver.index && !!driver.byRegion;
  const range = (index: string | undefined, extra: SQL[]) =>
    sql`select ${complaints.createdAt} as created_at, ${complaints.reference} as reference from ${from(index)} where ${all([...where, ...extra, ...page])} order by ${order} limit ${limit + 1}`;
  const keysQuery = perRegion
    ? sql`select created_at, reference from (${sql.join(regions!.map((r) => sql`select * from (${range(driver.byRegion, [eq(complaints.region, r)])})`), sql` union all `)}) order by ${order} limit ${limit + 1}`
    : range(driver.index, regionWhere);
  const countIndex = perRegion ? driver.byRegion : driver.index;
  const [keys, counted] = await Promise.all([
    db.all<{ created_at: string; reference: string }>(keysQuery),
    db.all<{ n: number }>(sql`select count(*) as n from (select 1 from ${from(countIndex)} where ${all([...where, ...regionWhere])} limit ${COUNT_CAP + 1})`),
  ]);
  const more = keys.length > limit;
  const shown = keys.slice(0, limit);
  if (backwards) shown.reverse();
  const refs = shown.map((k) => k.reference);
  const found = refs.length ? await db.select().from(complaints).where(inArray(complaints.reference, refs)) : [];
  const byRef = new Map(found.map((r) => [r.reference, r]));
  const rows = refs.map((r) => byRef.get(r)).filter((r): r is ComplaintRow => !!r);
  const total = Number(counted[0]?.n ?? 0);
  return {
    rows,
    total: Math.min(total, COUNT_CAP),
    capped: total > COUNT_CAP,
    prev: rows.length > 0 && (backwards ? more : !!cursor) ? refs[0] : undefined,
    next: rows.length > 0 && (backwards || more) ? refs.at(-1) : undefined,
  };
}

export interface QueueFilters {
  state?: string | undefined;
  unit?: string | undefined;
  /** A region and the regions under it (regionTreeOf(…).selfAndDescendantIds). */
  region?: readonly string[] | undefined;
  overdue?: boolean | undefined;
  code?: string | undefined;
  /** Only possible rebounds of items declared done (src/domain/rebound.ts). */
  rebound?: boolean | undefined;
}

export interface QueueEntry extends Clocks {
  row: ComplaintRow;
}

/** Rows of the staff queue shown at once. */
export const QUEUE_PAGE_SIZE = 50;

/** The staff queue: newest first, what this staff member may see, with the clocks worked out; one page at a time. */
export async function queue(db: Database, staff: Staff, filters: QueueFilters, now: Date, key: PageKey = {}, limit = QUEUE_PAGE_SIZE): Promise<KeysetPage<QueueEntry>> {
  const where: SQL[] = [];
  if (staff.role === 'handler') where.push(eq(complaints.assignedUnit, staff.unit ?? '\u0000'));
  if (filters.state) where.push(eq(complaints.state, filters.state));
  if (filters.unit) where.push(eq(complaints.assignedUnit, filters.unit));
  if (filters.code) {
    // Staff find a complaint by its public reference number (never by the reporter's secret).
    where.push(eq(complaints.reference, normaliseReference(filters.code) ?? '-'));
  }
  // Overdue is `clocks().overdue`: the running clock's deadline, stored as due_by, has passed.
  if (filters.overdue) where.push(sql`${complaints.dueBy} is not null and ${complaints.dueBy} < ${now.toISOString()}`);
  // Written as the partial index's own condition, so that SQLite may use it.
  if (filters.rebound) where.push(sql`${complaints.rebound} = 1`);
  // Led by the filter that names the fewest rows as a rule: possible rebounds (their own partial index, carrying
  // every other filter's column), a unit's, a state's, then a region's, the running clocks.
  const unit = staff.role === 'handler' || filters.unit;
  const driver: Driver = filters.code
    ? {}
    : filters.rebound
      ? { index: 'complaints_rebound_idx' }
      : { index: unit ? 'complaints_unit_idx' : filters.state ? 'complaints_state_idx' : filters.region?.length ? undefined : filters.overdue ? 'complaints_running_idx' : 'complaints_created_idx', byRegion: 'complaints_region_idx' };
  const page = await keysetPage(db, where, filters.region, driver, key, limit);
  return { ...page, rows: page.rows.map((row) => ({ row, ...clocks(factsOf(row), now.toISOString()) })) };
}

/**
 * Each unit's on-time rate (`onTimeByUnit` of every complaint's clocks), from the per-unit counts
 * kept with each step and the overdue complaints now: two index reads, not every complaint.
 */
export async function unitRates(db: Database, now: Date): Promise<Map<string, { onTime: number; counted: number }>> {
  // Per unit, its overdue complaints are one range of complaints_unit_due_idx (no sort of them all).
  const rows = await db.all<{ unit: string; concluded: number; on_time: number; late: number }>(sql`select u.unit as unit, u.concluded as concluded, u.on_time as on_time,
      (select count(*) from ${complaints} where ${complaints.assignedUnit} = u.unit and ${complaints.dueBy} is not null and ${complaints.dueBy} < ${now.toISOString()}) as late
    from ${complaintUnitCounts} u where u.assigned > 0`);
  return new Map(rows.map((r) => [r.unit, { onTime: Number(r.on_time), counted: Number(r.concluded) + Number(r.late) }]));
}

export async function historyOf(db: Database, complaintId: string) {
  return db.query.complaintEvents.findMany({ where: eq(complaintEvents.complaintId, complaintId), orderBy: (e, { asc }) => [asc(e.id)] });
}

export async function photosOf(db: Database, complaintId: string) {
  return db.select().from(complaintPhotos).where(eq(complaintPhotos.complaintId, complaintId));
}

/** One row of the public list, in the shape of the inspection teams' 边督边改 tables. */
export interface PublishedComplaint {
  /** The public reference number; never the reporter's tracking code. */
  reference: string;
  receivedAt: string;
  region: string;
  pollutionTypes: string[];
  summary: string;
  investigation: string;
  verdict: string | null;
  result: string;
  closed: boolean;
  state: string;
  stateLabel: string;
  responsibleUnit: string | null;
  enforcement: EnforcementFigures;
  publishedAt: string;
  /** Ids of the rectification items staff linked it to. */
  items: string[];
}

export interface PublishedFilters {
  region?: string[] | undefined;
  pollutionType?: string | undefined;
  verdict?: string | undefined;
  unit?: string | undefined;
  /** A rectification item the complaint was linked to (complaint_items). */
  item?: string | undefined;
}

/** Published complaints, newest first, one page at a time. Only rows with consent and a publication, never contact or address. */
export async function listPublished(db: Database, filters: PublishedFilters, key: PageKey = {}, pageSize = 50): Promise<KeysetPage<PublishedComplaint>> {
  // Written as the partial indexes' own condition (literal 1), so that SQLite uses them.
  const where: SQL[] = [sql`${complaints.publishedAt} is not null and ${complaints.consentPublish} = 1`];
  if (filters.verdict) where.push(eq(complaints.verdict, filters.verdict));
  if (filters.unit) where.push(eq(complaints.assignedUnit, filters.unit));
  // The types are a JSON array of fixed words without quotes: the quoted word is found as text, in the index (json_each would cost more per row).
  if (filters.pollutionType) where.push(sql`instr(${complaints.pollutionTypes}, json_quote(${filters.pollutionType})) > 0`);
  // An item has few complaints among many: they are found from its links (complaint_items_item_idx)
  // and looked up by id, then sorted, instead of walking every published complaint for them.
  if (filters.item) where.push(sql`${complaints.id} in (select ${complaintItems.complaintId} from ${complaintItems} where ${complaintItems.itemId} = ${filters.item})`);
  const driver: Driver = filters.item
    ? // The primary key's own index (SQLite names it so): with a region filter too, SQLite would
      // otherwise walk the regions' published complaints and test each against the links.
      { index: 'sqlite_autoindex_complaints_1' }
    : {
        index: filters.unit ? 'complaints_published_unit_idx' : filters.verdict ? 'complaints_published_verdict_idx' : filters.region?.length ? undefined : 'complaints_published_idx',
        byRegion: 'complaints_published_region_idx',
      };
  const page = await keysetPage(db, where, filters.region, driver, key, pageSize);
  const links = page.rows.length ? await db.select().from(complaintItems).where(inArray(complaintItems.complaintId, page.rows.map((r) => r.id))).orderBy(complaintItems.itemId) : [];
  return {
    ...page,
    rows: page.rows.map((r) => ({
      reference: r.reference ?? '',
      receivedAt: r.createdAt,
      region: r.region,
      pollutionTypes: r.pollutionTypes,
      summary: r.publication!.summary,
      investigation: r.publication!.investigation,
      verdict: r.verdict,
      result: r.publication!.result,
      closed: !isOpen(r.state),
      state: r.state,
      stateLabel: complaintStateLabel(r.state),
      responsibleUnit: r.assignedUnit,
      enforcement: r.enforcement ?? {},
      publishedAt: r.publishedAt!,
      items: links.filter((l) => l.complaintId === r.id).map((l) => l.itemId),
    })),
  };
}
