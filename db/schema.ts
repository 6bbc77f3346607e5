/**
 * The database schema (drizzle-orm, SQLite dialect for libSQL/Turso): the
 * single source of truth for everything the portal stores at run time.
 * Migrations in db/migrations/ are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed; never edit them by hand.
 */

import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** A complaint as submitted, and its current handling state. */
export const complaints = sqliteTable(
  'complaints',
  {
    id: text('id').primaryKey(),
    /**
     * The public reference number (受理编号, `2026-000123`): shown in the public list, Open311,
     * duplicate links and staff screens. Null only between migration steps; every row has one.
     */
    reference: text('reference').unique(),
    /** The reporter's secret (查询码): random, unguessable, shown once; never on a public page, feed or API. */
    trackingCode: text('tracking_code').notNull().unique(),
    /** The client's idempotency key (or a digest of the submission): a retry finds the same row. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** Digest of the body first sent under `idempotencyKey`: the same key with another body is refused. Null on rows from before it existed. */
    requestDigest: text('request_digest'),
    /** Optimistic lock: every staff action checks and increments it. */
    version: integer('version').notNull().default(0),
    state: text('state').notNull().default('submitted'),
    /** JSON array of pollution types. */
    pollutionTypes: text('pollution_types', { mode: 'json' }).$type<string[]>().notNull(),
    region: text('region').notNull(),
    address: text('address').notNull(),
    latitude: real('latitude'),
    longitude: real('longitude'),
    observedAt: text('observed_at').notNull(),
    description: text('description').notNull(),
    suspectedPolluter: text('suspected_polluter'),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    /** Name, phone and e-mail, AES-GCM encrypted as one JSON document; null when anonymous. */
    contactCiphertext: text('contact_ciphertext'),
    consentPublish: integer('consent_publish', { mode: 'boolean' }).notNull(),
    /** The reporter asked (on the form or through the API) to be mailed each public step, at the e-mail address in their contact. */
    notifyByEmail: integer('notify_by_email', { mode: 'boolean' }).notNull().default(false),
    /** Salted hash of the client's address, for abuse limits; never the address itself. */
    clientHash: text('client_hash').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    // Handling (see src/domain/complaint-handling.ts for the rules).
    acceptedAt: text('accepted_at'),
    /** Unit id (content/units.yaml) the complaint was passed to (转办). */
    assignedUnit: text('assigned_unit'),
    verdict: text('verdict'),
    /** The one extension of the 60-day clock, in days, and its reason (shown to the reporter). */
    extendedDays: integer('extended_days'),
    extensionReason: text('extension_reason'),
    /** Reference number (not the secret) of the earlier complaint this one repeats; the earlier one lists it back. */
    duplicateOf: text('duplicate_of'),
    closedAt: text('closed_at'),
    /** Enforcement figures: 责令整改/立案处罚 (家), 罚款 (元), 立案侦查 (件), 拘留/约谈/问责 (人). */
    enforcement: text('enforcement', { mode: 'json' }).$type<Record<string, number>>(),
    /** The redacted public record (边督边改 shape), written by staff; published only with consent. */
    publication: text('publication', { mode: 'json' }).$type<{ summary: string; investigation: string; result: string }>(),
    publishedAt: text('published_at'),
    /** Staff's judgement of which items it concerns: null (not yet), 'linked' (see complaint_items) or 'unrelated'. */
    itemsReviewed: text('items_reviewed'),
    /**
     * The deadline of the clock that runs now (`clocks().dueBy` of src/domain/complaint-handling.ts),
     * null when none runs; and the closing deadline (`clocks().closeBy`), null before acceptance.
     * Written by functions/complaint-service.ts with every change of state, acceptance or extension,
     * so that the overdue filter and the on-time rates are indexed comparisons (`due_by < now`).
     */
    dueBy: text('due_by'),
    closeBy: text('close_by'),
    /**
     * A possible rebound (可能反弹, src/domain/rebound.ts): at least one row of complaint_rebounds
     * names it. Kept with those rows (intake, the index run) so that the staff queue's filter is one
     * partial index, never a scan.
     */
    rebound: integer('rebound', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => {
    // Published rows only (partial indexes): intake never writes to them. Their condition's columns are
    // in them too, so that SQLite reads them as covering.
    const published = sql`${t.publishedAt} is not null and ${t.consentPublish} = 1`;
    return [
      // Every list is newest first with the reference number as tie-breaker: (created_at, reference) is the paging key.
      // Each index carries the other filters' columns after the key, so that combined filters are
      // checked in the index itself, never by reading rows that do not match.
      index('complaints_created_idx').on(t.createdAt, t.reference, t.state, t.assignedUnit, t.region, t.dueBy),
      index('complaints_state_idx').on(t.state, t.createdAt, t.reference, t.assignedUnit, t.region, t.dueBy),
      index('complaints_unit_idx').on(t.assignedUnit, t.createdAt, t.reference, t.state, t.region, t.dueBy),
      index('complaints_region_idx').on(t.region, t.createdAt, t.reference, t.state, t.assignedUnit, t.dueBy),
      // Only complaints with a running clock; the overdue filter reads it newest first.
      index('complaints_running_idx').on(t.createdAt, t.reference, t.dueBy, t.state, t.assignedUnit, t.region).where(sql`${t.dueBy} is not null`),
      // Overdue complaints per unit, for the on-time rates: one range of this index per unit.
      index('complaints_unit_due_idx').on(t.assignedUnit, t.dueBy).where(sql`${t.dueBy} is not null and ${t.assignedUnit} is not null`),
      // Possible rebounds only, newest first: the staff queue's 可能反弹 filter.
      index('complaints_rebound_idx').on(t.createdAt, t.reference, t.state, t.assignedUnit, t.region, t.dueBy).where(sql`${t.rebound} = 1`),
      // Every running clock by its deadline: the reminder job reads the complaints due within a few
      // days (and just past due) as one range, and the escalation view counts them by unit from it.
      index('complaints_due_idx').on(t.dueBy, t.reference, t.assignedUnit, t.state, t.id).where(sql`${t.dueBy} is not null`),
      // Running clocks of complaints not yet passed on (triage): the escalation view's "no unit" row.
      index('complaints_triage_due_idx').on(t.dueBy, t.reference, t.id).where(sql`${t.dueBy} is not null and ${t.assignedUnit} is null`),
      index('complaints_duplicate_idx').on(t.duplicateOf).where(sql`${t.duplicateOf} is not null`),
      index('complaints_published_idx').on(t.createdAt, t.reference, t.region, t.assignedUnit, t.verdict, t.pollutionTypes, t.publishedAt, t.consentPublish).where(published),
      index('complaints_published_region_idx').on(t.region, t.createdAt, t.reference, t.assignedUnit, t.verdict, t.pollutionTypes, t.publishedAt, t.consentPublish).where(published),
      index('complaints_published_unit_idx').on(t.assignedUnit, t.createdAt, t.reference, t.region, t.verdict, t.pollutionTypes, t.publishedAt, t.consentPublish).where(published),
      index('complaints_published_verdict_idx').on(t.verdict, t.createdAt, t.reference, t.region, t.assignedUnit, t.pollutionTypes, t.publishedAt, t.consentPublish).where(published),
    ];
  },
);

/**
 * Per unit, what of its on-time rate does not change with time: how many complaints are passed to
 * it, how many it concluded (closed with a result) and how many of those within the closing
 * deadline (`unitTally` in src/domain/complaint-handling.ts). Kept by the service in the
 * transaction of every step that changes a complaint's unit, state or deadline, so the rates
 * need not read every complaint; overdue open complaints are counted when asked (`due_by < now`).
 */
export const complaintUnitCounts = sqliteTable('complaint_unit_counts', {
  unit: text('unit').primaryKey(),
  assigned: integer('assigned').notNull().default(0),
  concluded: integer('concluded').notNull().default(0),
  onTime: integer('on_time').notNull().default(0),
});

/** Photos attached to a complaint, stored with their metadata (EXIF, GPS) removed. Staff only. */
export const complaintPhotos = sqliteTable(
  'complaint_photos',
  {
    id: text('id').primaryKey(),
    complaintId: text('complaint_id').notNull().references(() => complaints.id),
    /** Key in the photo store (local folder or R2). */
    storageKey: text('storage_key').notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('complaint_photos_complaint_idx').on(t.complaintId)],
);

/**
 * Objections (异议) lodged against an item during its sign-off notice window
 * (验收销号公示). The item is shown as signed off only when its window has
 * closed and every objection has a published disposition.
 */
export const objections = sqliteTable(
  'objections',
  {
    id: text('id').primaryKey(),
    trackingCode: text('tracking_code').notNull().unique(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** Item id from content/items. */
    itemId: text('item_id').notNull(),
    text: text('text').notNull(),
    /** Optional contact, AES-GCM encrypted like a complaint's. */
    contactCiphertext: text('contact_ciphertext'),
    clientHash: text('client_hash').notNull(),
    createdAt: text('created_at').notNull(),
    /** Staff's disposition, published with the item. */
    disposition: text('disposition'),
    disposedAt: text('disposed_at'),
    disposedBy: text('disposed_by'),
  },
  (t) => [index('objections_item_idx').on(t.itemId)],
);

/** Append-only history of a complaint: every step, with what the reporter may see kept apart. */
export const complaintEvents = sqliteTable(
  'complaint_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: text('complaint_id').notNull().references(() => complaints.id),
    at: text('at').notNull(),
    /** 'reporter', 'system' or a staff account id. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    /** The state after this step. */
    state: text('state').notNull(),
    /** Shown to the reporter and, once published, to the public. */
    publicNote: text('public_note'),
    /** Staff only. */
    internalNote: text('internal_note'),
  },
  (t) => [index('complaint_events_complaint_idx').on(t.complaintId)],
);

/** Named counters, e.g. `complaint:2026` for the reference numbers of a year; incremented inside the writing transaction. */
export const sequences = sqliteTable('sequences', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/** Fixed-window request counters per client and action, for rate limits kept in the database. */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);



/**
 * Login throttle counters (functions/login-throttle.ts), one row per client (`client:<salted
 * hash of the address>`) and per account (`account:<hash of the normalised username>`, whether
 * or not the account exists). Attempts before `blockedUntil` are refused unchecked; the delay
 * doubles with each failure, up to a cap.
 */
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  /** Failures since the counter last started over (after a day without one, or a successful login). */
  failures: integer('failures').notNull(),
  /** Epoch milliseconds. */
  lastFailureAt: integer('last_failure_at').notNull(),
  /** Epoch milliseconds; no attempt is checked before then. */
  blockedUntil: integer('blocked_until').notNull(),
});

/**
 * Clients (salted address hashes) that have signed in to an account before: they are exempt
 * from that account's throttle (not from their own), so strangers failing against an account
 * cannot keep its owner out.
 */
export const loginKnownClients = sqliteTable(
  'login_known_clients',
  {
    /** Same key as the account's `login_throttle` row. */
    accountKey: text('account_key').notNull(),
    clientHash: text('client_hash').notNull(),
    lastLoginAt: text('last_login_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountKey, t.clientHash] })],
);

/** Staff accounts. Created by the CLI (scripts/staff.ts); passwords only as salted PBKDF2 hashes. */
export const staffUsers = sqliteTable('staff_users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** admin: everything; handler: complaints of their unit; viewer: read only. */
  role: text('role', { enum: ['admin', 'handler', 'viewer'] }).notNull(),
  /** Unit id from content/units.yaml; required for handlers. */
  unit: text('unit'),
  /** pbkdf2-sha256$<iterations>$<salt b64>$<hash b64> */
  passwordHash: text('password_hash').notNull(),
  /**
   * Unused since migration 0005: the account lock these held let anyone lock any account.
   * Failed logins are throttled in `login_throttle` instead (functions/login-throttle.ts).
   */
  failedLogins: integer('failed_logins').notNull().default(0),
  /** Unused since migration 0005 (see failedLogins). */
  lockedUntil: text('locked_until'),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: text('created_at').notNull(),
  /**
   * Optional work e-mail address for deadline reminders (functions/reminders.ts), AES-GCM
   * encrypted like a reporter's contact, bound to the account id. Set with `npm run staff -- set-email`.
   */
  emailCiphertext: text('email_ciphertext'),
});

/** Login sessions. Only a hash of the session token is stored. */
export const staffSessions = sqliteTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull().references(() => staffUsers.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    /**
     * Last request made with the session, for the 30-minute idle timeout; set at login and then
     * at most once a minute. Null only on sessions opened before migration 0004 (createdAt counts then).
     */
    lastSeenAt: text('last_seen_at'),
  },
  (t) => [index('staff_sessions_user_idx').on(t.userId)],
);

/**
 * Append-only audit log of staff actions, including every view of a reporter's contact details.
 * Database triggers (migration 0004) refuse UPDATE and DELETE.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    /** Staff user id, or 'anonymous' for failed logins of unknown names. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    /** What the action was on: a complaint id, a user id. */
    target: text('target'),
    detail: text('detail'),
    /** Salted hash of the client's address, for login attempts (never the address itself). */
    clientHash: text('client_hash'),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
);

/**
 * Mail waiting to be sent, or sent: each row is written in the same transaction as the event
 * that causes it (functions/mail/outbox.ts), and a sender (functions/mail/sender.ts) delivers the
 * rows that are due, retrying with back-off. The recipient is AES-GCM encrypted like a contact,
 * bound to the row's id; subject and body are never shown to staff in full (the body may carry a
 * reporter's tracking link).
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    /** What caused the mail, e.g. `complaint:received`, `complaint:accept`. */
    kind: text('kind').notNull(),
    /** The complaint it is about, if any (staff see its reference number, never its tracking code). */
    complaintId: text('complaint_id').references(() => complaints.id),
    recipientCiphertext: text('recipient_ciphertext').notNull(),
    subject: text('subject').notNull(),
    /** Plain text (UTF-8). */
    body: text('body').notNull(),
    /** Extra headers as a JSON object, e.g. `{"Auto-Submitted":"auto-generated"}`. */
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    createdAt: text('created_at').notNull(),
    /** When the next attempt is due; null once sent or given up (attempts exhausted). */
    nextAttemptAt: text('next_attempt_at'),
    attempts: integer('attempts').notNull().default(0),
    /** The last failure, with addresses masked. */
    lastError: text('last_error'),
    sentAt: text('sent_at'),
  },
  (t) => [index('outbox_due_idx').on(t.nextAttemptAt), index('outbox_created_idx').on(t.createdAt)],
);

/**
 * Reports of an error in the published data (src/domain/error-reports.ts). The reporter's text is
 * for staff; the public corrections log shows staff's resolution only. Contact details, if any,
 * are encrypted like a complaint's.
 */
export const errorReports = sqliteTable(
  'error_reports',
  {
    id: text('id').primaryKey(),
    /** Public reference, `E2026-000001` (a per-year counter in `sequences`). */
    reference: text('reference').notNull().unique(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** The page reported on, e.g. `/items/wuwei-2020-10/`. */
    page: text('page').notNull(),
    description: text('description').notNull(),
    evidence: text('evidence'),
    contactCiphertext: text('contact_ciphertext'),
    clientHash: text('client_hash').notNull(),
    createdAt: text('created_at').notNull(),
    /** received | corrected | declined */
    state: text('state').notNull().default('received'),
    /** Staff's public summary: what was corrected, or why not. */
    resolution: text('resolution'),
    /** The source a correction stands on. */
    resolutionSource: text('resolution_source'),
    resolvedAt: text('resolved_at'),
    resolvedBy: text('resolved_by'),
  },
  (t) => [index('error_reports_page_idx').on(t.page), index('error_reports_state_idx').on(t.state, t.resolvedAt)],
);

/**
 * Which rectification items a complaint concerns, as staff judged it (边督边改: complaints become
 * rectification work). A complaint staff found unrelated to any item has `complaints.items_reviewed`
 * = 'unrelated' and no rows here.
 */
export const complaintItems = sqliteTable(
  'complaint_items',
  {
    complaintId: text('complaint_id').notNull().references(() => complaints.id),
    /** Item id from content/items. */
    itemId: text('item_id').notNull(),
    linkedAt: text('linked_at').notNull(),
    linkedBy: text('linked_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.complaintId, t.itemId] }), index('complaint_items_item_idx').on(t.itemId)],
);

/**
 * The dated changes the feeds publish (src/site/changes.ts), copied into the database by each
 * index run (`npm run search:index`, `npm start`, `npm run deploy`) and by the Node mail job, so
 * that digests can be made where the content is not (the Worker). `seq` grows with each change
 * first seen: a subscription's cursor is the last seq it was told about, so a change whose source
 * is dated earlier but reached the portal later is still mailed once.
 */
export const changeEvents = sqliteTable('change_events', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  /** The change's stable id (as in the feeds). */
  id: text('id').notNull().unique(),
  kind: text('kind').notNull(),
  /** The event's date as the source gives it (YYYY-MM-DD, YYYY-MM or YYYY). */
  date: text('date').notNull(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
  /** The page's path on the site (/items/x/). */
  href: text('href').notNull(),
  firstSeenAt: text('first_seen_at').notNull(),
  /** Set when the change left the content (a corrected record); such a change is never mailed. */
  removedAt: text('removed_at'),
  /** Digest (src/text/digest.ts) of the fields above and the change's targets as last copied: the index run rewrites a change only when it differs. */
  digest: text('digest'),
});

/** Which targets (item:x, plan:x, unit:x, region:x) a change concerns: its feeds. */
export const changeTargets = sqliteTable(
  'change_targets',
  {
    target: text('target').notNull(),
    changeSeq: integer('change_seq').notNull().references(() => changeEvents.seq, { onDelete: 'cascade' }),
  },
  // By change too: the index run rewrites one change's targets, and deleting a change checks them (foreign key).
  (t) => [primaryKey({ columns: [t.target, t.changeSeq] }), index('change_targets_seq_idx').on(t.changeSeq)],
);

/**
 * E-mail subscriptions to a page's changes (functions/subscriptions.ts). The address is AES-GCM
 * encrypted (bound to the row's id) and found by a keyed hash only; the confirmation token is
 * kept as its SHA-256, single use, and expires. Nothing but the confirmation is mailed while
 * `confirmedAt` is null.
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    /** HMAC-SHA256 of the normalised address under CLIENT_HASH_SALT: finds a subscriber without decrypting. */
    emailHash: text('email_hash').notNull(),
    emailCiphertext: text('email_ciphertext').notNull(),
    /** `item:<id>`, `plan:<id>`, `unit:<id>` or `region:<id>`. */
    target: text('target').notNull(),
    /** `daily` or `weekly`. */
    frequency: text('frequency').notNull(),
    /** SHA-256 (hex) of the pending confirmation token; null once used. */
    tokenHash: text('token_hash').unique(),
    tokenExpiresAt: text('token_expires_at'),
    /** When the last confirmation mail was queued (at most one per address and target per CONFIRM_RESEND). */
    confirmationSentAt: text('confirmation_sent_at'),
    createdAt: text('created_at').notNull(),
    confirmedAt: text('confirmed_at'),
    /** The highest change_events.seq already accounted for (at confirmation: everything before). */
    cursor: integer('cursor').notNull().default(0),
    /** The highest complaint_rebounds.seq already accounted for (item targets: possible rebounds are counted after it). */
    reboundCursor: integer('rebound_cursor').notNull().default(0),
    /**
     * For item targets: complaints linked to the item whose publication (or link, if later) is at or
     * before this instant were accounted for (functions/complaint-items.ts `linkedPublishedBetween`).
     * Set at confirmation; '' for none.
     */
    linkedCursor: text('linked_cursor').notNull().default(''),
    lastDigestAt: text('last_digest_at'),
    /** When the next digest is due; null while unconfirmed. */
    nextDigestAt: text('next_digest_at'),
  },
  (t) => [uniqueIndex('subscriptions_email_target_idx').on(t.emailHash, t.target), index('subscriptions_due_idx').on(t.nextDigestAt)],
);

/** Every mail queued for a subscription (the confirmation, each digest with the changes it listed): nothing is sent twice. */
export const subscriptionMail = sqliteTable(
  'subscription_mail',
  {
    outboxId: text('outbox_id').primaryKey().references(() => outbox.id),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id, { onDelete: 'cascade' }),
    /** `confirm` or `digest`. */
    kind: text('kind').notNull(),
    /** The change ids a digest listed. */
    changeIds: text('change_ids', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('subscription_mail_subscription_idx').on(t.subscriptionId)],
);

/**
 * The rebound watch's facts about items (src/domain/rebound.ts `watchRows`): one row per watched
 * item, region (the item's and every region under them) and pollution type, with the instant from
 * which complaints count. Items are content: the index run (scripts/search-index.ts, functions/rebound.ts
 * `syncReboundWatch`) rewrites the rows of items whose facts changed. A complaint finds its items by
 * one equality on (region, pollution_type); an item finds its rows by item_id.
 */
export const reboundWatch = sqliteTable(
  'rebound_watch',
  {
    region: text('region').notNull(),
    pollutionType: text('pollution_type').notNull(),
    itemId: text('item_id').notNull(),
    /** ISO instant (UTC) the day after the item became done begins in China. */
    watchFrom: text('watch_from').notNull(),
  },
  (t) => [primaryKey({ columns: [t.region, t.pollutionType, t.itemId] }), index('rebound_watch_item_idx').on(t.itemId)],
);

/**
 * Possible rebounds: which complaint matched which watched item. Written at intake (in the
 * complaint's own batch) and by the index run for items whose facts changed; a row stays while
 * the rule holds, so `seq` (growing) tells digests what is new since their cursor. Kept narrow
 * (about 2–3 rows per complaint where items are dense): no text, no timestamps.
 */
export const complaintRebounds = sqliteTable(
  'complaint_rebounds',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    itemId: text('item_id').notNull(),
    complaintId: text('complaint_id').notNull().references(() => complaints.id),
  },
  (t) => [uniqueIndex('complaint_rebounds_item_idx').on(t.itemId, t.complaintId), index('complaint_rebounds_complaint_idx').on(t.complaintId)],
);

/**
 * Deadline reminders queued for staff (functions/reminders.ts): one row per complaint, clock,
 * deadline and kind (`before` the deadline, or `passed`), written in the same transaction as the
 * reminder's outbox rows. The primary key is what makes a reminder go out once, however often
 * and however many senders run: a second insert of the same key writes nothing and queues nothing.
 * A new deadline (an extension) is a new key.
 */
export const complaintReminders = sqliteTable(
  'complaint_reminders',
  {
    complaintId: text('complaint_id').notNull().references(() => complaints.id),
    /** `decide` (15 days from submission) or `close` (60 days from acceptance, with any extension). */
    clock: text('clock').notNull(),
    /** `before` or `passed`. */
    kind: text('kind').notNull(),
    /** The deadline reminded of (the complaint's due_by then). */
    dueAt: text('due_at').notNull(),
    /** Who was mailed: the unit (null: triage staff, the complaint not yet passed on) and how many accounts. */
    unit: text('unit'),
    recipients: integer('recipients').notNull(),
    queuedAt: text('queued_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.complaintId, t.clock, t.kind, t.dueAt] })],
);

/**
 * Rectification items' facts for the staff escalation view (functions/escalation.ts), copied from
 * the content by each index run (`npm run search:index`, `npm start`, `npm run deploy`) as the
 * change list is: the Worker has no content, and a view of 50,000 items must be index ranges.
 * One row per item and responsible unit ('' when the sources name none), so each unit's list is
 * one range. Overdue at a date is `done = 0 and due < date`; silence is the time since
 * `silent_since`.
 */
export const itemWatch = sqliteTable(
  'item_watch',
  {
    itemId: text('item_id').notNull(),
    /** Responsible unit id (content/units.yaml), '' when no source names one. */
    unit: text('unit').notNull(),
    /** The plan's title and the item's number, as feeds name it, and the item's short title. */
    name: text('name').notNull(),
    title: text('title').notNull(),
    /** Due date on the current clock (after amendments, YYYY-MM-DD); null when the item has none (无期限, 时限另定, 时限未公开). */
    due: text('due'),
    /** Done by its disclosed status (基本完成, 已完成, 已销号): never overdue, never silent. */
    done: integer('done', { mode: 'boolean' }).notNull(),
    /** The disclosed status id (or `undisclosed`). */
    status: text('status').notNull(),
    /** Date of the last disclosed status entry as the source gives it (YYYY, YYYY-MM or YYYY-MM-DD); null when none was disclosed. */
    statusDate: text('status_date'),
    /** The last day that entry covers, or, with none disclosed, the plan's date: the sort key of silence (YYYY-MM-DD). */
    silentSince: text('silent_since').notNull(),
    /** When the item's rows were last written (an item whose facts did not change keeps its rows and time). */
    syncedAt: text('synced_at').notNull(),
    /** Digest (src/text/digest.ts) of all the item's facts, on each of its rows: the index run rewrites an item's rows only when it differs. */
    digest: text('digest'),
  },
  (t) => {
    const open = sql`${t.done} = 0`;
    return [
      primaryKey({ columns: [t.itemId, t.unit] }),
      // Overdue items, most overdue first: per unit, and for all units.
      index('item_watch_unit_due_idx').on(t.unit, t.due, t.itemId).where(sql`${t.done} = 0 and ${t.due} is not null`),
      index('item_watch_due_idx').on(t.due, t.unit, t.itemId).where(sql`${t.done} = 0 and ${t.due} is not null`),
      // Items not done, silent longest first: per unit, and for all units.
      index('item_watch_unit_silent_idx').on(t.unit, t.silentSince, t.itemId).where(open),
      index('item_watch_silent_idx').on(t.silentSince, t.unit, t.itemId).where(open),
    ];
  },
);
