/**
 * E-mail subscriptions to a page's changes (issue 15): an item, a plan, a unit or a region.
 *
 * - **Double opt-in.** A request stores the address encrypted (AES-GCM, bound to the row) with a
 *   keyed hash to find it, and queues one confirmation mail with a one-time link. The link's token
 *   is kept only as its SHA-256, expires after CONFIRM_HOURS and is cleared when used. Nothing
 *   else is ever queued for a subscription that was not confirmed.
 * - **No enumeration.** Every valid request gets the same answer, whether the address is new,
 *   waiting for confirmation or already subscribed; what differs (a mail or none) happens in the
 *   outbox, later.
 * - **Unsubscribing** is one POST to a link signed with CLIENT_HASH_SALT (HMAC of the row's id):
 *   nothing to store, no cookie, no CSRF token, so that mail programs can do it (RFC 8058). The row
 *   is deleted, with its unsent mail.
 * - **Digests** list the changes of the feeds (src/site/changes.ts, copied into change_events by
 *   syncChanges) that concern the target and came after the subscription's cursor; the cursor moves
 *   in the same transaction as the mail is queued, so a change is mailed once.
 *
 * Runs in Node and on Workers (WebCrypto, libSQL); the mails' words are src/domain/subscription-mail.ts.
 */
import type { InStatement } from '@libsql/client';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { changeEvents, changeTargets, complaintRebounds, outbox, subscriptionMail, subscriptions } from '../db/schema.ts';
import { CHANGE_KIND_LABELS, type Change, type ChangeKind } from '../src/site/changes.ts';
import type { Reference } from '../src/site/reference.ts';
import { writeStatements } from '../src/search/index-store.ts';
import { digestOf } from '../src/text/digest.ts';
import {
  confirmationMail,
  digestMail,
  FREQUENCIES,
  TARGET_KIND_LABELS,
  TARGET_KINDS,
  unsubscribeHeaders,
  type Frequency,
  type TargetKind,
} from '../src/domain/subscription-mail.ts';
import { decryptJson, encryptJson, keyedHash, randomToken, sameSecret, sha256Hex } from './crypto.ts';
import { toStatement, type Database } from './db.ts';
import { outboxValues, type MailSettings } from './mail/outbox.ts';
import { DEFAULT_LIMITS, hit, type Limit, type LimitedAction } from './ratelimit.ts';
import { latestReboundSeq, reboundsSince } from './rebound.ts';
import { COUNT_CAP } from './complaint-service.ts';
import { linkedPublishedBetween } from './complaint-items.ts';

/** Linked complaints named one by one in a digest; the rest are counted and on the page. */
const LINKED_SHOWN = 10;

export interface SubscriptionDeps {
  db: Database;
  contactKey: CryptoKey;
  /** CLIENT_HASH_SALT: the key of the address hash and of unsubscribe links. */
  clientSalt: string;
  reference: Reference;
  /** The site's address for links; without it no subscription mail can be made. */
  mail?: MailSettings | undefined;
  limits?: Partial<Record<LimitedAction, Limit>> | undefined;
}

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 48;
/** How long an unconfirmed request is kept after its link expired (it answers repeats meanwhile). */
export const UNCONFIRMED_KEPT_DAYS = 7;
/** A pending request asked again within this time mails nothing new (a double click, a retry). */
export const CONFIRM_RESEND_MS = 10 * 60_000;
const PERIOD_DAYS: Record<Frequency, number> = { daily: 1, weekly: 7 };

export interface Target {
  kind: TargetKind;
  id: string;
  /** `item:<id>` as stored and as the API takes it. */
  key: string;
  kindLabel: string;
  name: string;
  /** The page's path (/items/x/). */
  path: string;
}

const TARGET = /^(item|plan|unit|region):([a-z0-9][a-z0-9-]{0,99})$/;
const PAGE_PATH: Record<TargetKind, string> = { item: 'items', plan: 'plans', unit: 'units', region: 'regions' };

/** The page a `kind:id` names, if the portal has it. */
export function findTarget(ref: Reference, raw: string): Target | undefined {
  const m = TARGET.exec(raw);
  if (!m) return undefined;
  const kind = m[1] as TargetKind;
  const id = m[2]!;
  const list = kind === 'item' ? ref.items : kind === 'plan' ? ref.plans : kind === 'unit' ? ref.units : ref.regions;
  const found = list?.find((x) => x.id === id);
  if (!found) return undefined;
  return { kind, id, key: `${kind}:${id}`, kindLabel: TARGET_KIND_LABELS[kind], name: found.name, path: `/${PAGE_PATH[kind]}/${id}/` };
}



/** The request's fields, checked strictly: a missing, mistyped or unknown field is named. */
export function subscriptionInput(ref: Reference) {
  return z
    .object({
      email: z
        .string({ error: '请填写电子邮箱' })
        .trim()
        .min(1, '请填写电子邮箱')
        .max(254, '电子邮箱不能超过 254 个字符')
        .pipe(z.email('请填写正确的电子邮箱，如 name@example.org')),
      target: z.string({ error: '请指明要订阅的页面（如 item:wuwei-2020-07）' }).refine((t) => !!findTarget(ref, t), '没有这个可订阅的页面：应为 item:、plan:、unit: 或 region: 加上编号'),
      frequency: z.enum(FREQUENCIES, { error: '请选择每日或每周' }),
    })
    .strict();
}
export type SubscriptionInput = z.output<ReturnType<typeof subscriptionInput>>;

const absolute = (mail: MailSettings, path: string) => `${mail.siteUrl.replace(/\/+$/, '')}${path}`;
const emailContext = (id: string) => `subscription:${id}`;
const addDaysIso = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000).toISOString();

/** The unsubscribe link's token: the row's id and its HMAC. Derived, never stored. */
export async function unsubscribeToken(secret: string, id: string): Promise<string> {
  return `${id}.${await keyedHash(secret, 'unsubscribe', id)}`;
}
export const unsubscribePath = (token: string) => `/follow/unsubscribe/?token=${encodeURIComponent(token)}`;
export const confirmPath = (token: string) => `/follow/confirm/?token=${encodeURIComponent(token)}`;

/** A UNIQUE constraint refused the write: a concurrent request for the same address and page won. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) return true;
    if (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed')) return true;
  }
  return false;
}

/**
 * A valid request: queues a confirmation for a new or still unconfirmed subscription, nothing for
 * a confirmed one. The caller answers the same in every case.
 */
export async function requestSubscription(deps: SubscriptionDeps, input: SubscriptionInput, at: Date): Promise<void> {
  const { db } = deps;
  if (!deps.mail) throw new Error('subscriptions need MailSettings');
  const target = findTarget(deps.reference, input.target)!;
  // Addresses are compared without case: nobody keeps two mailboxes that differ only in case.
  const email = input.email.toLowerCase();
  const emailHash = await keyedHash(deps.clientSalt, 'subscriber-email', email);
  const existing = await db.query.subscriptions.findFirst({ where: and(eq(subscriptions.emailHash, emailHash), eq(subscriptions.target, target.key)) });
  if (existing?.confirmedAt) return;
  if (existing?.confirmationSentAt && at.getTime() - Date.parse(existing.confirmationSentAt) < CONFIRM_RESEND_MS) return;
  const cap = await hit(db, `subscribe-address:${emailHash}`, { ...DEFAULT_LIMITS, ...deps.limits }['subscribe-address'], at.getTime());
  if (!cap.allowed) return;

  const id = existing?.id ?? crypto.randomUUID();
  const token = randomToken();
  const iso = at.toISOString();
  const expiresAt = new Date(at.getTime() + CONFIRM_HOURS * 3600_000).toISOString();
  const unsubscribeUrl = absolute(deps.mail, unsubscribePath(await unsubscribeToken(deps.clientSalt, id)));
  const text = confirmationMail({
    kindLabel: target.kindLabel,
    name: target.name,
    pageUrl: absolute(deps.mail, target.path),
    frequency: input.frequency,
    confirmUrl: absolute(deps.mail, confirmPath(token)),
    expiresAt,
    unsubscribeUrl,
  });
  const mail = await outboxValues(deps.contactKey, { kind: 'subscription:confirm', to: email, subject: text.subject, text: text.text, headers: unsubscribeHeaders(unsubscribeUrl) }, at);
  const token_ = { tokenHash: await sha256Hex(token), tokenExpiresAt: expiresAt, confirmationSentAt: iso, frequency: input.frequency };
  const write = existing
    ? db.update(subscriptions).set(token_).where(and(eq(subscriptions.id, id), isNull(subscriptions.confirmedAt)))
    : db.insert(subscriptions).values({ id, emailHash, emailCiphertext: await encryptJson(deps.contactKey, email, emailContext(id)), target: target.key, createdAt: iso, ...token_ });
  try {
    // The subscription and its confirmation mail are written together, or neither.
    await db.batch([write, db.insert(outbox).values(mail), db.insert(subscriptionMail).values({ outboxId: mail.id!, subscriptionId: id, kind: 'confirm', changeIds: [], createdAt: iso })]);
  } catch (error) {
    if (isUniqueViolation(error)) return;
    throw error;
  }
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Confirms the subscription a confirmation token names, once, before it expires. */
export async function confirmSubscription(db: Database, reference: Reference, token: string, at: Date): Promise<Target | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const iso = at.toISOString();
  const tokenHash = await sha256Hex(token);
  const [row] = await db
    .update(subscriptions)
    .set({
      confirmedAt: iso,
      tokenHash: null,
      tokenExpiresAt: null,
      // Changes before the confirmation are on the page already: the first digest starts after them.
      cursor: sql`(SELECT coalesce(max(${changeEvents.seq}), 0) FROM ${changeEvents})`,
      // Possible rebounds before the confirmation are counted on the page already.
      reboundCursor: sql`(SELECT coalesce(max(${complaintRebounds.seq}), 0) FROM ${complaintRebounds})`,
      linkedCursor: iso,
      nextDigestAt: sql`CASE ${subscriptions.frequency} WHEN 'weekly' THEN ${addDaysIso(at, 7)} ELSE ${addDaysIso(at, 1)} END`,
    })
    .where(and(eq(subscriptions.tokenHash, tokenHash), gt(subscriptions.tokenExpiresAt, iso), isNull(subscriptions.confirmedAt)))
    .returning({ target: subscriptions.target });
  return row ? findTarget(reference, row.target) ?? undefined : undefined;
}

const UNSUBSCRIBE_TOKEN = /^([0-9a-f-]{36})\.([0-9a-f]{64})$/;

/**
 * Ends the subscription an unsubscribe token names: the row, its record of mails and its mail not
 * yet sent are deleted. A valid token of a subscription already gone is done too (a second click).
 */
export async function unsubscribe(db: Database, secret: string, token: string): Promise<boolean> {
  const m = UNSUBSCRIBE_TOKEN.exec(token);
  if (!m) return false;
  const id = m[1]!;
  if (!sameSecret(m[2]!, await keyedHash(secret, 'unsubscribe', id))) return false;
  await db.transaction(async (tx) => {
    const unsent = await tx
      .select({ id: outbox.id })
      .from(subscriptionMail)
      .innerJoin(outbox, eq(outbox.id, subscriptionMail.outboxId))
      .where(and(eq(subscriptionMail.subscriptionId, id), isNull(outbox.sentAt)));
    await tx.delete(subscriptionMail).where(eq(subscriptionMail.subscriptionId, id));
    await tx.delete(subscriptions).where(eq(subscriptions.id, id));
    if (unsent.length) await tx.delete(outbox).where(and(inArray(outbox.id, unsent.map((u) => u.id)), isNull(outbox.sentAt)));
  });
  return true;
}

/** The targets a change concerns (its feeds). */
function targetsOf(c: Pick<Change, 'scope'>): string[] {
  return [
    ...c.scope.items.map((id) => `item:${id}`),
    ...c.scope.plans.map((id) => `plan:${id}`),
    ...c.scope.units.map((id) => `unit:${id}`),
    ...c.scope.regions.map((id) => `region:${id}`),
  ];
}

/**
 * Copies the feeds' change list into change_events and change_targets in one transaction: new
 * changes get the next seq (first seen now), changed ones their new text and targets, and changes
 * no longer listed are marked removed (never mailed). Returns how many were new.
 */
export async function syncChanges(db: Database, changes: readonly Change[], at: Date): Promise<{ added: number; removed: number }> {
  const iso = at.toISOString();
  // Only each stored change's seq, state and digest (src/text/digest.ts) are read, not its text and
  // targets (≈ 155,000 changes and 900,000 targets at 50,000 items): an unchanged change costs a comparison.
  const stored = new Map<string, { seq: number; removed: boolean; digest: string }>();
  for (let after = 0; ; ) {
    const { rows } = await db.$client.execute({
      sql: "SELECT seq, id, removed_at IS NOT NULL AS removed, coalesce(digest, '') AS digest FROM change_events WHERE seq > ? ORDER BY seq LIMIT ?",
      args: [after, SYNC_PAGE],
    });
    for (const r of rows) stored.set(String(r.id), { seq: Number(r.seq), removed: Number(r.removed) === 1, digest: String(r.digest) });
    if (rows.length < SYNC_PAGE) break;
    after = Number(rows.at(-1)!.seq);
  }
  let added = 0;
  let removed = 0;
  const listed = new Set<string>();
  const insertTargets = 'INSERT INTO change_targets (target, change_seq) SELECT t.value, e.seq FROM change_events e, json_each(?) t WHERE e.id = ?';
  // Generated while written, so a country's first sync never holds all its statements at once.
  function* statements(): Generator<InStatement> {
    for (const c of changes) {
      listed.add(c.id);
      const fields = { kind: c.kind, date: c.date, title: c.title, summary: c.summary, href: c.href };
      const targets = [...new Set(targetsOf(c))].sort();
      const digest = digestOf(JSON.stringify([fields, targets]));
      const row = stored.get(c.id);
      if (!row) {
        added++;
        yield toStatement(db.insert(changeEvents).values({ id: c.id, ...fields, firstSeenAt: iso, digest }));
        yield { sql: insertTargets, args: [JSON.stringify(targets), c.id] };
      } else if (row.removed || row.digest !== digest) {
        // Its text or targets changed (or it has no digest yet, or it is listed again): written again under its seq.
        yield toStatement(db.update(changeEvents).set({ ...fields, removedAt: null, digest }).where(eq(changeEvents.seq, row.seq)));
        yield toStatement(db.delete(changeTargets).where(eq(changeTargets.changeSeq, row.seq)));
        yield { sql: insertTargets, args: [JSON.stringify(targets), c.id] };
      }
    }
    for (const [id, r] of stored) {
      if (r.removed || listed.has(id)) continue;
      removed++;
      yield toStatement(db.update(changeEvents).set({ removedAt: iso }).where(eq(changeEvents.seq, r.seq)));
    }
  }
  // One transaction; on a local file as scripts (a country's first sync is ≈ 300,000 statements, whose bound
  // arguments the driver would keep until the process ends).
  await writeStatements(db.$client, statements());
  return { added, removed };
}

/** Stored changes read per query while comparing (keyset on seq). */
const SYNC_PAGE = 20000;

/** The next digest after one due at `due`: a period later, or a period from now after a pause. */
function nextDue(due: string, frequency: string, at: Date): string {
  const days = PERIOD_DAYS[frequency as Frequency] ?? 1;
  const next = Date.parse(due) + days * 86_400_000;
  return new Date(next > at.getTime() ? next : at.getTime() + days * 86_400_000).toISOString();
}

export interface DigestReport {
  /** Digests queued. */
  queued: number;
  /** Subscriptions due with nothing new: nothing sent, the next one scheduled. */
  unchanged: number;
}

/**
 * Queues a digest for every confirmed subscription that is due and has changes after its cursor,
 * and moves the cursor and the next due time of every due one. Two runs at once (the Node timer
 * and `npm run notify`, overlapping cron runs) cannot both queue one digest: the cursor moves by
 * compare-and-set in the digest's own transaction.
 */
export async function queueDigests(deps: SubscriptionDeps, at: Date, limit = 200): Promise<DigestReport> {
  const { db } = deps;
  const report: DigestReport = { queued: 0, unchanged: 0 };
  if (!deps.mail) return report;
  const iso = at.toISOString();
  // An address nobody confirmed is not kept: a week after its link expired, the request is forgotten.
  const forgotten = and(isNull(subscriptions.confirmedAt), lt(subscriptions.tokenExpiresAt, new Date(at.getTime() - UNCONFIRMED_KEPT_DAYS * 86_400_000).toISOString()));
  await db.batch([
    db.delete(subscriptionMail).where(inArray(subscriptionMail.subscriptionId, db.select({ id: subscriptions.id }).from(subscriptions).where(forgotten))),
    db.delete(subscriptions).where(forgotten),
  ]);
  const due = await db
    .select()
    .from(subscriptions)
    .where(and(isNotNull(subscriptions.confirmedAt), lte(subscriptions.nextDigestAt, iso)))
    .orderBy(asc(subscriptions.nextDigestAt))
    .limit(limit);
  if (!due.length) return report;
  const [{ top } = { top: 0 }] = await db.select({ top: sql<number>`coalesce(max(${changeEvents.seq}), 0)` }).from(changeEvents);
  const reboundTop = await latestReboundSeq(db);
  // A publication is stamped when its request began and committed a moment later: one stamped in
  // the last minute may not be visible yet, so it waits for the next digest rather than be missed.
  const linkedUpTo = new Date(at.getTime() - 60_000).toISOString();
  for (const s of due) {
    const changes =
      top > s.cursor
        ? await db
            .select({ id: changeEvents.id, kind: changeEvents.kind, date: changeEvents.date, title: changeEvents.title, summary: changeEvents.summary, href: changeEvents.href })
            .from(changeTargets)
            .innerJoin(changeEvents, eq(changeEvents.seq, changeTargets.changeSeq))
            .where(and(eq(changeTargets.target, s.target), gt(changeTargets.changeSeq, s.cursor), lte(changeTargets.changeSeq, top), isNull(changeEvents.removedAt)))
            .orderBy(desc(changeEvents.date), asc(changeEvents.seq))
        : [];
    // A followed item's possible rebounds (functions/rebound.ts): their number only, never their contents.
    const [targetKind, targetId] = s.target.split(':') as [TargetKind, string];
    const since = targetKind === 'item' && reboundTop > s.reboundCursor ? await reboundsSince(db, targetId, s.reboundCursor, reboundTop) : { count: 0, cursor: Math.max(reboundTop, s.reboundCursor) };
    const rebounds = since.count;
    // Complaints linked to a followed item and published since (never before the confirmation).
    const linked = targetKind === 'item' ? await linkedPublishedBetween(db, targetId, s.linkedCursor, linkedUpTo, LINKED_SHOWN) : { total: 0, shown: [] };
    const told = changes.length > 0 || rebounds > 0 || linked.total > 0;
    const move = db
      .update(subscriptions)
      .set({ cursor: top, reboundCursor: since.cursor, linkedCursor: targetKind === 'item' ? linkedUpTo : s.linkedCursor, nextDigestAt: nextDue(s.nextDigestAt!, s.frequency, at), ...(told ? { lastDigestAt: iso } : {}) })
      .where(and(eq(subscriptions.id, s.id), eq(subscriptions.cursor, s.cursor), eq(subscriptions.reboundCursor, s.reboundCursor), eq(subscriptions.nextDigestAt, s.nextDigestAt!)))
      .returning({ id: subscriptions.id });
    if (!told) {
      // Nothing changed: nothing is sent, only the next digest is scheduled.
      await move;
      report.unchanged++;
      continue;
    }
    const target = findTarget(deps.reference, s.target);
    const facts = target ?? { kindLabel: TARGET_KIND_LABELS[targetKind] ?? '页面', name: targetId, path: `/${PAGE_PATH[targetKind]}/${targetId}/` };
    const unsubscribeUrl = absolute(deps.mail, unsubscribePath(await unsubscribeToken(deps.clientSalt, s.id)));
    const text = digestMail({
      kindLabel: facts.kindLabel,
      name: facts.name,
      pageUrl: absolute(deps.mail, facts.path),
      feedUrl: absolute(deps.mail, `${facts.path}feed.xml`),
      frequency: s.frequency as Frequency,
      changes: changes.map((c) => ({ kindLabel: CHANGE_KIND_LABELS[c.kind as ChangeKind] ?? c.kind, date: c.date, title: c.title, summary: c.summary, url: absolute(deps.mail!, c.href) })),
      linked: linked.total > 0 ? { total: linked.total, shown: linked.shown.map((c) => ({ ...c, url: absolute(deps.mail!, `/complaints/${c.reference}/`) })) } : undefined,
      rebounds: rebounds > 0 ? { count: Math.min(rebounds, COUNT_CAP), capped: rebounds > COUNT_CAP, url: absolute(deps.mail, `${facts.path}#item-complaints`) } : undefined,
      unsubscribeUrl,
    });
    const to = await decryptJson<string>(deps.contactKey, s.emailCiphertext, emailContext(s.id));
    const mail = await outboxValues(deps.contactKey, { kind: 'subscription:digest', to, subject: text.subject, text: text.text, headers: unsubscribeHeaders(unsubscribeUrl) }, at);
    const tx = await db.$client.transaction('write');
    try {
      if ((await tx.execute(toStatement(move))).rows.length === 0) continue; // another run took it
      await tx.batch([
        toStatement(db.insert(outbox).values(mail)),
        toStatement(db.insert(subscriptionMail).values({ outboxId: mail.id!, subscriptionId: s.id, kind: 'digest', changeIds: changes.map((c) => c.id), createdAt: iso })),
      ]);
      await tx.commit();
      report.queued++;
    } finally {
      tx.close();
    }
  }
  return report;
}

export { TARGET_KINDS };
