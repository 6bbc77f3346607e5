/**
 * The pages the portal's Hono app asks Astro to draw: one variant per view, each with the data the
 * view needs and nothing rendered. The app (functions/) decides — routing, sessions, CSRF, rate
 * limits, the rules — and ends a request with `c.render(page)` (functions/render.ts); the catch-all
 * pages of src/pages draw the page with src/views/PortalPage.astro in the site's own layout.
 *
 * Types only: nothing here runs, so the app and the views share the contract without sharing code.
 */
import type { ComplaintRow, PublicComplaintView, PublishedComplaint, QueueEntry } from '../../functions/complaint-service.ts';
import type { OutboxFilter, OutboxListEntry, OutboxState } from '../../functions/mail/outbox.ts';
import type { StaffUser } from '../../functions/staff.ts';
import type { Operation } from '../domain/complaint-handling.ts';
import type { ErrorReportState } from '../domain/error-reports.ts';
import type { ErrorReportRow } from '../../functions/error-reports.ts';
import type { ItemComplaintCounts, LinkedItem } from '../../functions/complaint-items.ts';
import type { DueComplaint, EscalationList, UnitEscalation, WatchedItem } from '../../functions/escalation.ts';
import type { NoticeRef, Reference } from '../site/reference.ts';

/** Field values as typed (a repeated field is a list); shown again on an error. */
export type FormValues = Record<string, string | string[] | undefined>;
/** Messages by field name (the key `_form` for an error about the whole submission). */
export type FieldErrors = Record<string, string>;

export interface Link {
  href: string;
  label: string;
}

/** The signed-in reader of a staff page: the bar on top and the CSRF token every form carries. */
export interface StaffFrame {
  user: StaffUser;
  /** The name of the reader's unit, if they belong to one. */
  unitName?: string | undefined;
  csrfToken: string;
}

/** What every page has: its title (the `<title>` and og:title), an optional description, the answer's status. */
interface Frame {
  title: string;
  description?: string;
  /** The HTTP status; 200 when absent. */
  status?: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;
}

/** A short page: a heading, a few sentences, links onward. Refusals and errors use it. */
export interface MessagePage extends Frame {
  view: 'message';
  section: 'complaints' | 'staff' | 'corrections' | 'follow';
  heading: string;
  paragraphs: string[];
  links?: Link[];
  /** On staff pages, the reader (their bar is shown). */
  staff?: StaffFrame;
}

export interface ComplaintFormPage extends Frame {
  view: 'complaint-form';
  values: FormValues;
  errors: FieldErrors;
  reference: Reference;
  /** YYYY-MM-DD in China; the latest observation date allowed. */
  today: string;
  /** A fresh random key per form: a resubmitted form is recognised as the same complaint. */
  formKey: string;
  /** Photos are offered only where a photo store is configured. */
  photos: boolean;
}

export interface TrackingLookupPage extends Frame {
  view: 'tracking-lookup';
  code: string;
  error?: string;
  /** The code was well formed but matches no complaint. */
  notFound?: boolean;
}

export interface TrackingPage extends Frame {
  view: 'tracking';
  complaint: PublicComplaintView;
  reference: Reference;
  /** Just submitted: the receipt, the only time the tracking code is shown in full. */
  fresh: boolean;
  /** Just after the reporter stopped the progress mails. */
  mailStopped?: boolean;
}

export interface DisputePage extends Frame {
  view: 'dispute';
  trackingCode: string;
  note: string;
  error: string;
}

export interface PublishedRecordPage extends Frame {
  view: 'published-record';
  record: ComplaintRow & { reference: string; publication: { summary: string; investigation: string; result: string }; publishedAt: string };
  reference: Reference;
  /** The rectification items staff linked it to. */
  items: LinkedItem[];
}

/** A list's pager (src/components/Pager.astro): the page's number, the number of pages when known, and the links. */
export interface PagerLinks {
  page: number;
  /** Unknown when the list is longer than it is counted (COUNT_CAP). */
  pages: number | undefined;
  prev: string | undefined;
  next: string | undefined;
}

export interface PublishedListPage extends Frame {
  view: 'published-list';
  reference: Reference;
  rows: PublishedComplaint[];
  /** Counted up to COUNT_CAP (functions/complaint-service.ts); `capped` when there are more. */
  total: number;
  capped: boolean;
  pager: PagerLinks;
  /** The filters as asked (region, type, verdict, unit, item), without the page. */
  query: Record<string, string>;
  error?: string;
  /** The item the list is filtered by, as links show it. */
  item?: LinkedItem | undefined;
  /**
   * With an item filter: the item's section (#item-complaints), which the static item page fetches
   * and shows in place (src/scripts/live-sections.ts): its published linked complaints counted, and
   * its rebound watch (undefined when the rule does not apply to the item).
   */
  itemSection?: { counts: ItemComplaintCounts; rebounds: { fromDay: string; count: number; capped: boolean } | undefined } | undefined;
}

export interface ObjectionNoticePage extends Frame {
  view: 'objection-notice';
  notice: NoticeRef;
  /** YYYY-MM-DD in China. */
  today: string;
  objections: { trackingCode: string; createdAt: string; disposition: string | null; disposed: boolean }[];
  /** The objection just lodged (its receipt code), when the address names it. */
  receipt?: string;
  values: Record<string, string>;
  errors: FieldErrors;
  formKey: string;
}

export interface StaffLoginPage extends Frame {
  view: 'staff-login';
  username: string;
  error?: string;
  /** A session cookie came that no longer opens a session. */
  expired: boolean;
}

export interface StaffQueuePage extends Frame {
  view: 'staff-queue';
  staff: StaffFrame;
  reference: Reference;
  filters: { state?: string | undefined; unit?: string | undefined; region?: string | undefined; overdue: boolean; rebound: boolean; code?: string | undefined };
  /** One page of the queue. */
  entries: QueueEntry[];
  /** The watched items each complaint of the page is a possible rebound of (src/domain/rebound.ts). */
  rebounds: Record<string, LinkedItem[]>;
  /** Complaints matching the filters, counted up to COUNT_CAP; `capped` when there are more. */
  total: number;
  capped: boolean;
  pager: PagerLinks;
  rates: [unit: string, rate: { onTime: number; counted: number }][];
}

export interface StaffComplaintPage extends Frame {
  view: 'staff-complaint';
  staff: StaffFrame;
  reference: Reference;
  row: ComplaintRow;
  history: { state: string; at: string; actor: string; publicNote: string | null; internalNote: string | null }[];
  photos: { id: string; bytes: number }[];
  /** Exactly what the rules allow this reader now (allowedActions in src/domain/complaint-handling.ts). */
  allowed: Operation[];
  error?: string;
  done?: string;
  /** The reporter's contact details, after an audited request; null when none were left. */
  contact?: { name?: string; phone?: string; email?: string } | null;
  /** A form sent against an older version: where it went and what was typed. */
  stale?: { path: string; values: Record<string, string> };
  /** The rectification items it concerns: linked ones, ones to offer, staff's judgement so far, whether this reader may change it. */
  items: { linked: LinkedItem[]; suggestions: (LinkedItem & { topicMatch: boolean })[]; reviewed: string | null; canLink: boolean; error?: string | undefined };
  /** The watched items it is a possible rebound of (src/domain/rebound.ts). */
  rebounds: LinkedItem[];
}

export interface StaffObjectionsPage extends Frame {
  view: 'staff-objections';
  staff: StaffFrame;
  reference: Reference;
  objections: { id: string; trackingCode: string; itemId: string; createdAt: string; text: string; disposition: string | null; hasContact: boolean }[];
  error?: string;
  /** Contact details shown after an audited request. */
  shown?: { id: string; contact: { name?: string; phone?: string } | null };
}

export interface StaffOutboxPage extends Frame {
  view: 'staff-outbox';
  staff: StaffFrame;
  filter: OutboxFilter;
  entries: OutboxListEntry[];
  counts: Record<OutboxState, number>;
  /** How mail leaves (SMTP host, Cloudflare), or undefined when nothing sends it. */
  delivery: string | undefined;
  maxAttempts: number;
}

/** 逾期或久未更新 (functions/routes/escalation.ts): counts by unit, and one list, one page of it. */
export interface StaffEscalationPage extends Frame {
  view: 'staff-escalation';
  staff: StaffFrame;
  reference: Reference;
  /** The unit shown (an id, `-` for none named or not passed on), or undefined for every unit. */
  unit: string | undefined;
  /** The reader is scoped to their unit (a handler): no choice of unit. */
  fixed: boolean;
  list: EscalationList;
  /** The time the page was made (ISO): overdue and "days" are as of it. */
  at: string;
  /** Per unit, the most pressing first, at most UNIT_ROWS_SHOWN of `unitsTotal`. */
  units: UnitEscalation[];
  unitsTotal: number;
  rules: { silentAfterDays: number; remindBeforeDays: number };
  /** The page of the list shown: items for `overdue` and `silent`, complaints for `complaints`. */
  items: WatchedItem[];
  complaints: DueComplaint[];
  /** Rows of the list, counted up to COUNT_CAP; `capped` when there are more. */
  total: number;
  capped: boolean;
  pager: PagerLinks;
}

export interface CorrectionsLogPage extends Frame {
  view: 'corrections-log';
  entries: { reference: string; page: string; state: ErrorReportState; resolution: string | null; resolutionSource: string | null; createdAt: string; resolvedAt: string | null }[];
  /** Reports received and not yet decided. */
  waiting: number;
}

export interface ErrorReportFormPage extends Frame {
  view: 'error-report-form';
  values: Record<string, string>;
  errors: FieldErrors;
  formKey: string;
  /** The reference of a report just filed. */
  receipt?: string;
}

export interface StaffErrorReportsPage extends Frame {
  view: 'staff-error-reports';
  staff: StaffFrame;
  reports: ErrorReportRow[];
  /** A decision that could not be recorded: on which report, why, and what was typed. */
  error?: { id: string; message: string; values: Record<string, string> };
}

/** Following a page by e-mail: the form (functions/routes/follow.ts). */
export interface FollowFormPage extends Frame {
  view: 'follow-form';
  target: { key: string; kindLabel: string; name: string; path: string };
  /** As typed: `email`, `frequency`. */
  values: Record<string, string>;
  errors: FieldErrors;
}

/** A page with one button that posts a token from a mail's link (confirm, unsubscribe). */
export interface FollowTokenPage extends Frame {
  view: 'follow-token';
  heading: string;
  paragraphs: string[];
  action: string;
  /** Hidden fields posted with the button. */
  fields: Record<string, string>;
  button: string;
}

export type PortalPage =
  | MessagePage
  | FollowFormPage
  | FollowTokenPage
  | ComplaintFormPage
  | TrackingLookupPage
  | TrackingPage
  | DisputePage
  | PublishedRecordPage
  | PublishedListPage
  | ObjectionNoticePage
  | StaffLoginPage
  | StaffQueuePage
  | StaffComplaintPage
  | StaffObjectionsPage
  | StaffOutboxPage
  | StaffEscalationPage
  | CorrectionsLogPage
  | ErrorReportFormPage
  | StaffErrorReportsPage;
