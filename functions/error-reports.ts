/**
 * Reports of an error in the published data: the one place they are written and read (the JSON
 * API, the form and the staff pages all come here). Rules: src/domain/error-reports.ts.
 */
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { auditLog, errorReports, sequences } from '../db/schema.ts';
import { todayInChina } from '../src/domain/dates.ts';
import type { ErrorReportDecision, ErrorReportInput, ErrorReportState } from '../src/domain/error-reports.ts';
import { encryptJson } from './crypto.ts';
import type { Database } from './db.ts';
import { auditEntry } from './staff.ts';
import { isUniqueViolation } from './complaint-service.ts';

export type ErrorReportRow = typeof errorReports.$inferSelect;

/**
 * Stores a report, once per idempotency key (a form sent twice, a retried request): the second
 * time answers with the first report. The reference is drawn from a per-year counter in the same
 * batch, so numbers are never shared or skipped by a failed write.
 */
export async function fileErrorReport(
  db: Database,
  contactKey: CryptoKey,
  input: ErrorReportInput,
  meta: { idempotencyKey: string; clientHash: string; at: Date },
): Promise<{ reference: string; replay: boolean }> {
  const existing = await db.query.errorReports.findFirst({ where: eq(errorReports.idempotencyKey, meta.idempotencyKey) });
  if (existing) return { reference: existing.reference, replay: true };
  const id = crypto.randomUUID();
  const year = todayInChina(meta.at).slice(0, 4);
  const counter = `error-report:${year}`;
  const contact = input.contact && (input.contact.name || input.contact.email) ? await encryptJson(contactKey, input.contact, id) : null;
  try {
    const [, inserted] = await db.batch([
      db.insert(sequences).values({ name: counter, value: 1 }).onConflictDoUpdate({ target: sequences.name, set: { value: sql`${sequences.value} + 1` } }),
      db
        .insert(errorReports)
        .values({
          id,
          reference: sql`(select printf('E%s-%06d', ${year}, ${sequences.value}) from ${sequences} where ${sequences.name} = ${counter})`,
          idempotencyKey: meta.idempotencyKey,
          page: input.page,
          description: input.description,
          evidence: input.evidence || null,
          contactCiphertext: contact,
          clientHash: meta.clientHash,
          createdAt: meta.at.toISOString(),
        })
        .returning({ reference: errorReports.reference }),
    ]);
    return { reference: inserted[0]!.reference, replay: false };
  } catch (error) {
    // The same report sent twice at once: the other request stored it.
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.query.errorReports.findFirst({ where: eq(errorReports.idempotencyKey, meta.idempotencyKey) });
    if (!winner) throw error;
    return { reference: winner.reference, replay: true };
  }
}

/** Staff: reports newest first, those awaiting a decision first. */
export async function errorReportsForStaff(db: Database, limit = 200): Promise<ErrorReportRow[]> {
  return db
    .select()
    .from(errorReports)
    .orderBy(sql`${errorReports.state} = 'received' desc`, desc(errorReports.createdAt))
    .limit(limit);
}

/** Ends a report that is still open, audited in the same transaction. False if it was already decided (or does not exist). */
export async function decideErrorReport(db: Database, id: string, decision: ErrorReportDecision, staffId: string, at: Date): Promise<boolean> {
  const state: ErrorReportState = decision.decision;
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(errorReports)
      .set({ state, resolution: decision.resolution, resolutionSource: decision.decision === 'corrected' ? decision.source : null, resolvedAt: at.toISOString(), resolvedBy: staffId })
      .where(and(eq(errorReports.id, id), eq(errorReports.state, 'received')))
      .returning({ id: errorReports.id });
    if (!updated.length) return false;
    await tx.insert(auditLog).values(auditEntry(at, staffId, `error_report_${state}`, id));
    return true;
  });
}

/** What the public corrections log shows: decided reports, newest first, with staff's words only. */
export async function publicCorrections(db: Database, limit = 500) {
  return db
    .select({
      reference: errorReports.reference,
      page: errorReports.page,
      state: errorReports.state,
      resolution: errorReports.resolution,
      resolutionSource: errorReports.resolutionSource,
      createdAt: errorReports.createdAt,
      resolvedAt: errorReports.resolvedAt,
    })
    .from(errorReports)
    .where(isNotNull(errorReports.resolvedAt))
    .orderBy(desc(errorReports.resolvedAt))
    .limit(limit);
}

/** How many reports are waiting, for the public log ("N 件待核实"). */
export async function openErrorReports(db: Database): Promise<number> {
  return db.$count(errorReports, eq(errorReports.state, 'received'));
}
