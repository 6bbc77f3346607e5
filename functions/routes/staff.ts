/**
 * The staff area, rendered at run time: login, the complaint queue with
 * filters, overdue flags and each unit's on-time rate, a complaint's detail
 * with every handling action its reader may take, contact details on request
 * (audited), enforcement figures and the public record. Plain HTML forms: each
 * carries the session's CSRF token; the session cookie is SameSite=Strict.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { eq } from 'drizzle-orm';
import { complaintPhotos, complaints } from '../../db/schema.ts';
import { allowedActions, HandlingError, maySee, parseEnforcement, type HandlingAction, type Verdict } from '../../src/domain/complaint-handling.ts';
import { HANDLING_STEPS, type ComplaintState } from '../../src/domain/complaint-states.ts';
import type { StaffComplaintPage } from '../../src/views/pages.ts';
import { regionTreeOf, unitName } from '../../src/site/reference.ts';
import { pageKeyOf, pagerOf, PAGING_PARAMS } from './paging.ts';
import { staffFrame, staffMessage, type StaffEnv } from './staff-frame.ts';

/** Largest staff form accepted (short text fields only). */
const MAX_FORM_BYTES = 64 * 1024;
import {
  ConflictError,
  ForbiddenError,
  historyOf,
  photosOf,
  publish,
  queue,
  QUEUE_PAGE_SIZE,
  recordEnforcement,
  takeAction,
  unitRates,
  viewContact,
  type ComplaintRow,
} from '../complaint-service.ts';
import type { ComplaintDeps } from '../complaints.ts';
import {
  attemptLogin,
  audit,
  clearSessionCookie,
  clientHashOf,
  crossOrigin,
  endSession,
  sessionOf,
  sessionToken,
  setSessionCookie,
} from '../staff.ts';
import { dispositionForms } from './objections.ts';
import { outboxPage } from './outbox.ts';
import { escalationPage } from './escalation.ts';
import { errorReportDesk } from './corrections.ts';
import { itemRecords, itemSuggestions, linkedItemIds, setLinkedItems, UnknownItemError, type LinkedItem } from '../complaint-items.ts';
import { reboundItemsOf } from '../rebound.ts';

export interface StaffPageDeps extends ComplaintDeps {
  production: boolean;
  /** SITE_URL, for the origin check of posted forms (crossOrigin). */
  siteUrl?: string | undefined;
}

export function staffPages(deps: StaffPageDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<StaffEnv>();

  const loginForm = (c: Context, username: string, error: string | undefined, status: 200 | 401 | 422 | 429 = 200, expired = false) =>
    c.render({ view: 'staff-login', title: `${error ? '错误：登录' : '登录'}（工作人员）`, status, username, ...(error ? { error } : {}), expired });

  app.get('/login/', async (c) => {
    if (await sessionOf(c, deps)) return c.redirect('/staff/', 303);
    // A session cookie that no longer opens a session: the session ended (idle, 8 hours, or revoked).
    // Said once: the cookie goes now.
    const expired = !!sessionToken(c, deps);
    if (expired) clearSessionCookie(c, deps);
    return loginForm(c, '', undefined, 200, expired);
  });

  app.post('/login/', bodyLimit({ maxSize: 4096, onError: (c) => loginForm(c, '', '提交内容过大。', 422) }), async (c) => {
    if (crossOrigin(c, deps)) return loginForm(c, '', '请求来源不符。', 422);
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      return loginForm(c, '', '表单内容无法解析。', 422);
    }
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
    if (!username || !password) return loginForm(c, username, '请填写用户名和密码', 422);
    const result = await attemptLogin(db, username, password, { at: now(), client: await clientHashOf(c, deps) });
    if (!result.ok) {
      if (result.retryAfter) c.header('Retry-After', String(result.retryAfter));
      return loginForm(c, username, result.message, result.status);
    }
    setSessionCookie(c, deps, result.token, result.expires);
    return c.redirect('/staff/', 303);
  });

  // Staff forms are short text (photos are never uploaded here): anything larger is refused unread.
  app.use('*', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => staffMessage(c, 413, '提交内容过大', [`表单内容超过 ${MAX_FORM_BYTES / 1024} KB。`]) }));

  // Everything below needs a session; state-changing requests also the form's CSRF token.
  app.use('*', async (c, next) => {
    const session = await sessionOf(c, deps);
    if (!session) return c.redirect('/staff/login/', 303);
    c.set('user', session.user);
    c.set('csrfToken', session.csrfToken);
    c.set('frame', { user: session.user, unitName: unitName(reference, session.user.unit), csrfToken: session.csrfToken });
    if (c.req.method === 'POST') {
      let body: Record<string, unknown> = {};
      try {
        body = await c.req.parseBody();
      } catch {
        return staffMessage(c, 422, '表单内容无法解析', ['请返回后重新提交。']);
      }
      if (crossOrigin(c, deps) || body._csrf !== session.csrfToken) {
        return staffMessage(c, 403, '安全校验失败', ['页面已过期或请求来自其他网站。请返回刷新后重试。']);
      }
      c.set('form', Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string')));
    }
    return next();
  });

  app.post('/logout/', async (c) => {
    await endSession(c, deps, c.get('user').id, now());
    return c.redirect('/staff/login/', 303);
  });

  app.get('/', async (c) => {
    const user = c.get('user');
    const q = (k: string) => c.req.query(k)?.trim().slice(0, 64) || undefined;
    const filters = { state: q('state'), unit: q('unit'), region: q('region'), overdue: q('overdue') === '1', rebound: q('rebound') === '1', code: q('code') };
    const paging = pageKeyOf(c);
    const at = now();
    // A region includes the regions under it, as on the public list; an unknown one matches nothing.
    const regions = filters.region ? (reference.regions.some((r) => r.id === filters.region) ? regionTreeOf(reference).selfAndDescendantIds(filters.region) : [filters.region]) : undefined;
    const [result, rateMap] = await Promise.all([queue(db, user, { ...filters, region: regions }, at, paging.key), unitRates(db, at)]);
    const rates = [...rateMap.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    const rebounds = await reboundsByComplaint(result.rows.map((e) => e.row.id));
    const query = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => !PAGING_PARAMS.includes(k) && v) as [string, string][]);
    return c.render({
      view: 'staff-queue', title: '投诉队列（工作人员）', staff: staffFrame(c), reference, filters,
      entries: result.rows, total: result.total, capped: result.capped, pager: pagerOf('/staff/', query, paging.page, result, QUEUE_PAGE_SIZE), rates, rebounds,
    });
  });

  /** The watched items each complaint is a possible rebound of, as links show them (src/domain/rebound.ts). */
  const reboundsByComplaint = async (ids: readonly string[]): Promise<Record<string, LinkedItem[]>> => {
    const byComplaint = await reboundItemsOf(db, ids);
    const records = new Map((await itemRecords(db.$client, [...new Set([...byComplaint.values()].flat())])).map((i) => [i.id, i]));
    return Object.fromEntries([...byComplaint].map(([id, items]) => [id, items.flatMap((i) => (records.has(i) ? [records.get(i)!] : []))]));
  };

  const load = async (c: Context<StaffEnv>) => {
    const row = await db.query.complaints.findFirst({ where: eq(complaints.id, c.req.param('id')!.slice(0, 64)) });
    if (!row || !maySee(c.get('user'), row.assignedUnit)) return undefined;
    return row;
  };
  const notFound = (c: Context) => staffMessage(c, 404, '未找到该投诉', ['投诉不存在，或不属于您所在单位。']);

  async function detail(
    c: Context<StaffEnv>,
    row: ComplaintRow,
    extra: Pick<StaffComplaintPage, 'error' | 'done' | 'contact' | 'stale' | 'status'> & { itemsError?: string } = {},
  ) {
    const user = c.get('user');
    const [history, photos] = await Promise.all([historyOf(db, row.id), photosOf(db, row.id)]);
    // The forms shown are exactly what the rules allow this reader now (src/domain/complaint-handling.ts).
    const allowed = allowedActions(row.state as ComplaintState, user.role, user.unit, row.assignedUnit, { extendedDays: row.extendedDays, consentPublish: row.consentPublish, published: !!row.publishedAt });
    const client = db.$client;
    const [linked, suggestions, rebounds] = await Promise.all([linkedItemIds(db, row.id).then((ids) => itemRecords(client, ids)), itemSuggestions(client, reference, row), reboundsByComplaint([row.id])]);
    const canLink = user.role !== 'viewer' && maySee(user, row.assignedUnit);
    const items = { linked, suggestions, reviewed: row.itemsReviewed, canLink, error: extra.itemsError };
    const { itemsError: _, ...rest } = extra;
    return c.render({ view: 'staff-complaint', title: `投诉 ${row.reference}（工作人员）`, staff: staffFrame(c), reference, row, history, photos, allowed, items, rebounds: rebounds[row.id] ?? [], ...rest });
  }

  app.get('/complaints/:id/', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    const done = c.req.query('done');
    return detail(c, row, done ? { done: `已完成：${done.slice(0, 40)}` } : {});
  });

  /** Runs a step, then shows the page again (303 on success, so reloading does not repeat it). */
  async function run(c: Context<StaffEnv>, row: ComplaintRow, step: () => Promise<unknown>, doneLabel: string) {
    try {
      await step();
    } catch (error) {
      if (error instanceof ForbiddenError) return detail(c, row, { error: error.message, status: 403 });
      if (error instanceof ConflictError) return conflict(c, (await load(c)) ?? row);
      if (error instanceof HandlingError) return detail(c, row, { error: error.message, status: 422 });
      throw error;
    }
    return c.redirect(`/staff/complaints/${row.id}/?done=${encodeURIComponent(doneLabel)}`, 303);
  }

  /** 409: the complaint changed since the form was shown; nothing was written, and what was typed is kept. */
  const conflict = (c: Context<StaffEnv>, row: ComplaintRow) =>
    detail(c, row, { error: '该投诉已被他人更新，您的操作未执行。请查看最新状态后再提交。', status: 409, stale: { path: new URL(c.req.url).pathname, values: c.get('form') } });
  /**
   * Every staff form names the version it was shown; an older form must not act on newer state.
   * (A request without one — a script, say — is still checked against the version it was loaded at.)
   */
  const staleVersion = (c: Context<StaffEnv>, row: ComplaintRow) => {
    const shown = c.get('form').version;
    return shown !== undefined && shown !== String(row.version);
  };

  app.post('/complaints/:id/action', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    const f = c.get('form');
    if (staleVersion(c, row)) return conflict(c, row);
    const action = actionFrom(f);
    if (!action) return detail(c, row, { error: '未知的操作。', status: 422 });
    return run(c, row, () => takeAction(db, reference, c.get('user'), row, action, now(), f.internalNote, deps), HANDLING_STEPS[action.kind]);
  });

  // The items a complaint concerns: ticked suggestions (`item-<id>`) and ids typed in `others`; `do=unrelated` clears them all.
  app.post('/complaints/:id/items', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    const f = c.get('form');
    if (c.get('user').role === 'viewer') return detail(c, row, { error: '只读账号不能关联整改任务。', status: 403 });
    const ids = f.do === 'unrelated' ? [] : [...Object.keys(f).filter((k) => k.startsWith('item-') && f[k] === '1').map((k) => k.slice(5)), ...(f.others ?? '').split(/[\s,，、;；]+/).filter(Boolean)];
    if (f.do !== 'unrelated' && !ids.length) return detail(c, row, { itemsError: '请选择或填写至少一项整改任务；与整改任务无关时请点“与整改任务无关”。', status: 422 });
    try {
      await setLinkedItems(db, db.$client, c.get('user'), row, ids, now());
    } catch (error) {
      if (error instanceof ForbiddenError) return detail(c, row, { error: error.message, status: 403 });
      if (error instanceof UnknownItemError) return detail(c, row, { itemsError: error.message, status: 422 });
      throw error;
    }
    return c.redirect(`/staff/complaints/${row.id}/?done=${encodeURIComponent(ids.length ? '关联整改任务' : '标记为与整改任务无关')}#items`, 303);
  });

  app.post('/complaints/:id/contact', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    try {
      const contact = await viewContact(db, deps.contactKey, c.get('user'), row, now());
      return detail(c, row, { contact });
    } catch (error) {
      if (error instanceof ForbiddenError) return detail(c, row, { error: error.message, status: 403 });
      throw error;
    }
  });

  app.post('/complaints/:id/enforcement', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    if (staleVersion(c, row)) return conflict(c, row);
    const { figures, errors } = parseEnforcement(c.get('form'));
    if (Object.keys(errors).length) return detail(c, row, { error: Object.values(errors).join('；'), status: 422 });
    return run(c, row, () => recordEnforcement(db, c.get('user'), row, figures, now()), '保存查处情况');
  });

  app.post('/complaints/:id/publish', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    const f = c.get('form');
    if (staleVersion(c, row)) return conflict(c, row);
    const publication = f.do === 'unpublish' ? null : { summary: f.summary ?? '', investigation: f.investigation ?? '', result: f.result ?? '' };
    return run(c, row, () => publish(db, reference, c.get('user'), row, publication, now()), publication ? '公开办理结果' : '撤回公开');
  });

  app.get('/photos/:id/', async (c) => {
    const photo = await db.query.complaintPhotos.findFirst({ where: eq(complaintPhotos.id, c.req.param('id').slice(0, 64)) });
    const row = photo && (await db.query.complaints.findFirst({ where: eq(complaints.id, photo.complaintId) }));
    if (!photo || !row || !maySee(c.get('user'), row.assignedUnit) || !deps.photos) return notFound(c);
    const stored = await deps.photos.get(photo.storageKey);
    if (!stored) return notFound(c);
    await audit(db, now(), c.get('user').id, 'view_photo', row.id, photo.id);
    c.header('Cache-Control', 'private, no-store');
    c.header('Content-Type', photo.contentType);
    return c.body(stored.bytes as Uint8Array<ArrayBuffer>);
  });

  app.route('/objections/', dispositionForms(deps));
  app.route('/outbox/', outboxPage(deps));
  app.route('/escalation/', escalationPage(deps));
  app.route('/error-reports/', errorReportDesk(deps));

  return app;
}

/** Reads a handling action from the action form's fields; undefined if the form names none. */
export function actionFrom(f: Record<string, string>): HandlingAction | undefined {
  switch (f.action) {
    case 'accept':
    case 'start':
      return { kind: f.action };
    case 'reject':
      return { kind: 'reject', reason: f.reason ?? '' };
    case 'assign':
      return { kind: 'assign', unit: f.unit ?? '' };
    case 'extend':
      return { kind: 'extend', days: /^\d{1,3}$/.test(f.days ?? '') ? Number(f.days) : NaN, reason: f.reason ?? '' };
    case 'close':
    case 'close-partially':
      return { kind: f.action, verdict: (f.verdict ?? '') as Verdict, reply: f.reply ?? '' };
    case 'mark-duplicate':
      return { kind: 'mark-duplicate', of: f.of ?? '' };
    case 'reopen':
      return { kind: 'reopen', reason: f.reason ?? '' };
    default:
      return undefined;
  }
}

