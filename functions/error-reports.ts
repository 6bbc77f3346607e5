/**
 * Reports of an error in the published data: the one place they are written and read (the JSON
 * API, the form and the staff pages all come here). Rules: src/domain/error-reports.ts.
 */
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { auditLog, errorReports, outbox, sequences } from '../db/schema.ts';
import { todayInChina } from '../src/domain/dates.ts';
import { SITE_NAME } from '../src/domain/complaint-mail.ts';
import { errorReportDecisionMail, type ErrorReportDecision, type ErrorReportInput, type ErrorReportState } from '../src/domain/error-reports.ts';
import { decryptJson, encryptJson } from './crypto.ts';
import { outboxValues } from './mail/outbox.ts';
import type { Database } from './db.ts';
import { auditEntry } from './staff.ts';
import { isUniqueViolation, type ReporterMailer } from './complaint-service.ts';

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

/**
 * Ends a report that is still open, audited in the same transaction; a reporter who left an e-mail
 * address is mailed the decision, queued in the same transaction (functions/mail/outbox.ts).
 * False if it was already decided (or does not exist).
 */
export async function decideErrorReport(db: Database, id: string, decision: ErrorReportDecision, staffId: string, at: Date, mailer?: ReporterMailer): Promise<boolean> {
  const state: ErrorReportState = decision.decision;
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(errorReports)
      .set({ state, resolution: decision.resolution, resolutionSource: decision.decision === 'corrected' ? decision.source : null, resolvedAt: at.toISOString(), resolvedBy: staffId })
      .where(and(eq(errorReports.id, id), eq(errorReports.state, 'received')))
      .returning({ id: errorReports.id, reference: errorReports.reference, page: errorReports.page, contactCiphertext: errorReports.contactCiphertext });
    const report = updated[0];
    if (!report) return false;
    await tx.insert(auditLog).values(auditEntry(at, staffId, `error_report_${state}`, id));
    const mail = await decisionMail(mailer, report, decision, at);
    if (mail) await tx.insert(outbox).values(mail);
    return true;
  });
}

/** The outbox row telling the reporter the decision, if they left an address and mail is configured. */
async function decisionMail(mailer: ReporterMailer | undefined, report: Pick<ErrorReportRow, 'id' | 'reference' | 'page' | 'contactCiphertext'>, decision: ErrorReportDecision, at: Date) {
  if (!mailer?.mail || !report.contactCiphertext) return undefined;
  let to: string | undefined;
  try {
    to = (await decryptJson<{ email?: string }>(mailer.contactKey, report.contactCiphertext, report.id)).email;
  } catch {
    // A key that no longer opens the contact must not stop the decision itself.
    console.error('无法解密数据错误报告人的联系方式：未生成核实结果邮件。');
  }
  if (!to) return undefined;
  const site = mailer.mail.siteUrl.replace(/\/+$/, '');
  const { subject, text } = errorReportDecisionMail(SITE_NAME, { reference: report.reference, pageUrl: `${site}${report.page}`, logUrl: `${site}/corrections/`, decision });
  return outboxValues(mailer.contactKey, { kind: `error-report:${decision.decision}`, to, subject, text }, at);
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
