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
import {
  allowedActions,
  ENFORCEMENT_FIGURES,
  HandlingError,
  MAX_EXTENSION_DAYS,
  MAX_INTERNAL_NOTE,
  maySee,
  onTimeByUnit,
  parseEnforcement,
  VERDICTS,
  type HandlingAction,
  type Operation,
  type Verdict,
} from '../../src/domain/complaint-handling.ts';
import { COMPLAINT_STATES, complaintStateLabel, HANDLING_STEPS, type ComplaintState } from '../../src/domain/complaint-states.ts';
import { formatDateTimeZh, formatDateZh, todayInChina } from '../../src/domain/dates.ts';
import { formatRatio } from '../../src/domain/ratios.ts';
import { regionFullName, unitName } from '../../src/site/reference.ts';
import {
  clockFacts,
  ConflictError,
  ForbiddenError,
  historyOf,
  photosOf,
  publish,
  queue,
  recordEnforcement,
  takeAction,
  viewContact,
  type ComplaintRow,
} from '../complaint-service.ts';
import type { ComplaintDeps } from '../complaints.ts';
import { ACCOUNT_RULE, CLIENT_RULE } from '../login-throttle.ts';
import {
  attemptLogin,
  audit,
  clearSessionCookie,
  clientHashOf,
  crossOrigin,
  endSession,
  SESSION_HOURS,
  SESSION_IDLE_MINUTES,
  sessionOf,
  sessionToken,
  setSessionCookie,
  type StaffUser,
} from '../staff.ts';
import { dispositionForms } from './objections.ts';
import { outboxPage } from './outbox.ts';
import { html, renderPage, type ShellSource } from './shell.ts';

export interface StaffPageDeps extends ComplaintDeps {
  production: boolean;
  /** SITE_URL, for the origin check of posted forms (crossOrigin). */
  siteUrl?: string | undefined;
  shells?: ShellSource | undefined;
}

/** Largest staff form accepted (short text fields only). */
const MAX_FORM_BYTES = 64 * 1024;
const ROLE_LABELS = { admin: '管理员', handler: '经办人', viewer: '只读' } as const;
const day = (iso: string | undefined | null) => (iso ? formatDateZh(todayInChina(new Date(iso))) : '—');

export function staffPages(deps: StaffPageDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<{ Variables: { user: StaffUser; csrfToken: string; form: Record<string, string> } }>();

  const page = (c: Context, title: string, body: ReturnType<typeof html>, status: 200 | 401 | 403 | 404 | 409 | 413 | 422 | 429 = 200) =>
    renderPage(c, deps.shells, { section: 'staff', title: `${title}（工作人员）`, status, body });

  const loginForm = (c: Context, username: string, error: string | undefined, status: 200 | 401 | 422 | 429 = 200, expired = false) =>
    page(
      c,
      error ? '错误：登录' : '登录',
      html`<h1>工作人员登录</h1>
${error ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>无法登录</h2><ul><li><a href="#f-username">${error}</a></li></ul></div>` : ''}
${expired ? html`<div class="notice" role="status" data-session-expired><p>登录已过期（${SESSION_IDLE_MINUTES} 分钟未操作、登录已满 ${SESSION_HOURS} 小时或会话已被结束），请重新登录。</p></div>` : ''}
<form method="post" action="/staff/login/" novalidate>
  <div class="form-group"><label for="f-username">用户名</label><input type="text" id="f-username" name="username" autocomplete="username" value="${username}" required></div>
  <div class="form-group"><label for="f-password">密码</label><input type="password" id="f-password" name="password" autocomplete="current-password" required></div>
  <button type="submit" class="button">登录</button>
</form>
<p class="muted">账号由管理员用命令行创建（npm run staff -- create）。连续登录失败后，须等待片刻才能再试，每多失败一次等待时间加倍：同一账号最长 ${ACCOUNT_RULE.capMs / 60_000} 分钟，同一网络地址最长 ${CLIENT_RULE.capMs / 60_000} 分钟。登录后 ${SESSION_IDLE_MINUTES} 分钟未操作或满 ${SESSION_HOURS} 小时，须重新登录。</p>`,
      status,
    );

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
  app.use('*', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => page(c, '提交内容过大', html`<h1>提交内容过大</h1><p>表单内容超过 ${MAX_FORM_BYTES / 1024} KB。请<a href="/staff/">返回</a>。</p>`, 413) }));

  // Everything below needs a session; state-changing requests also the form's CSRF token.
  app.use('*', async (c, next) => {
    const session = await sessionOf(c, deps);
    if (!session) return c.redirect('/staff/login/', 303);
    c.set('user', session.user);
    c.set('csrfToken', session.csrfToken);
    if (c.req.method === 'POST') {
      let body: Record<string, unknown> = {};
      try {
        body = await c.req.parseBody();
      } catch {
        return page(c, '错误', html`<h1>表单内容无法解析</h1>`, 422);
      }
      if (crossOrigin(c, deps) || body._csrf !== session.csrfToken) {
        return page(c, '安全校验失败', html`<h1>安全校验失败</h1><p>页面已过期或请求来自其他网站。请<a href="/staff/">返回</a>刷新后重试。</p>`, 403);
      }
      c.set('form', Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string')));
    }
    return next();
  });

  const bar = (c: Context) => {
    const user = c.get('user') as StaffUser;
    return html`<div class="staff-bar"><span>${user.displayName}（${ROLE_LABELS[user.role]}${user.unit ? html`，${unitName(reference, user.unit)}` : ''}）</span>
<span><a href="/staff/">投诉队列</a> · <a href="/staff/objections/">销号异议</a> · ${user.role === 'admin' ? html`<a href="/staff/outbox/">发信队列</a> · ` : ''}<form class="inline-form" method="post" action="/staff/logout/"><input type="hidden" name="_csrf" value="${c.get('csrfToken')}"><button type="submit" class="button secondary">退出登录</button></form></span></div>`;
  };

  app.post('/logout/', async (c) => {
    await endSession(c, deps, c.get('user').id, now());
    return c.redirect('/staff/login/', 303);
  });

  app.get('/', async (c) => {
    const user = c.get('user');
    const q = (k: string) => c.req.query(k)?.trim().slice(0, 64) || undefined;
    const filters = { state: q('state'), unit: q('unit'), region: q('region'), overdue: q('overdue') === '1', code: q('code') };
    const at = now();
    const entries = await queue(db, user, filters, at);
    const rates = [...onTimeByUnit(await clockFacts(db, at)).entries()].sort((a, b) => a[0].localeCompare(b[0]));
    const sel = (k: string, v: string) => (c.req.query(k) === v ? html`selected` : '');
    return page(
      c,
      '投诉队列',
      html`${bar(c)}<h1>投诉队列</h1>
<form method="get" action="/staff/" class="filters" aria-label="筛选">
  <div class="form-group"><label for="q-state">状态</label><select id="q-state" name="state"><option value="">全部</option>${COMPLAINT_STATES.map((s) => html`<option value="${s.id}" ${sel('state', s.id)}>${s.label}</option>`)}</select></div>
  ${user.role !== 'handler' ? html`<div class="form-group"><label for="q-unit">承办单位</label><select id="q-unit" name="unit"><option value="">全部</option>${reference.units.map((u) => html`<option value="${u.id}" ${sel('unit', u.id)}>${u.name}</option>`)}</select></div>` : ''}
  <div class="form-group"><label for="q-region">地区</label><select id="q-region" name="region"><option value="">全部</option>${reference.regions.filter((r) => r.level !== 'national').map((r) => html`<option value="${r.id}" ${sel('region', r.id)}>${regionFullName(reference, r.id)}</option>`)}</select></div>
  <div class="form-group"><label for="q-code">受理编号</label><input type="text" id="q-code" name="code" value="${filters.code ?? ''}" placeholder="如 2026-000123"></div>
  <div class="choice"><input type="checkbox" id="q-overdue" name="overdue" value="1" ${filters.overdue ? html`checked` : ''}><label for="q-overdue">只看超期</label></div>
  <button type="submit" class="button secondary">筛选</button>
</form>
<p>共 ${entries.length} 件${entries.length >= 200 ? '（只显示最近 200 件，请用筛选缩小范围）' : ''}。</p>
<div class="table-scroll"><table class="data" data-queue>
<caption class="visually-hidden">投诉队列</caption>
<thead><tr><th scope="col">受理编号</th><th scope="col">提交时间</th><th scope="col">地区</th><th scope="col">污染类型</th><th scope="col">状态</th><th scope="col">承办单位</th><th scope="col">期限</th></tr></thead>
<tbody>${entries.map(
        (e) => html`<tr data-overdue="${e.overdue ? 'yes' : 'no'}"><td><a class="code" href="/staff/complaints/${e.row.id}/">${e.row.reference}</a></td><td>${formatDateTimeZh(e.row.createdAt)}</td><td>${regionFullName(reference, e.row.region)}</td><td>${e.row.pollutionTypes.join('、')}</td><td>${complaintStateLabel(e.row.state)}</td><td>${unitName(reference, e.row.assignedUnit) ?? '—'}</td><td>${e.running === 'decide' ? html`受理：${day(e.decideBy)}` : e.closeBy ? html`办结：${day(e.closeBy)}` : '—'}${e.overdue ? html` <strong class="badge bad">超期</strong>` : ''}</td></tr>`,
      )}</tbody></table></div>
<h2>各承办单位按期办结率</h2>
<p class="muted">按期办结数 ÷（已办结数 + 超期未办结数）；尚在期限内的未办结投诉（含阶段性办结、有异议的投诉）不计入。</p>
${rates.length
  ? html`<table class="data"><thead><tr><th scope="col">承办单位</th><th scope="col">按期办结</th><th scope="col">计入件数</th><th scope="col">按期办结率</th></tr></thead><tbody>${rates.map(([unit, r]) => html`<tr><td>${unitName(reference, unit)}</td><td>${r.onTime}</td><td>${r.counted}</td><td>${formatRatio({ numerator: r.onTime, denominator: r.counted, value: r.counted ? r.onTime / r.counted : null })}</td></tr>`)}</tbody></table>`
  : html`<p>尚无可计算的投诉。</p>`}`,
    );
  });

  const load = async (c: Context) => {
    const row = await db.query.complaints.findFirst({ where: eq(complaints.id, c.req.param('id')!.slice(0, 64)) });
    if (!row || !maySee(c.get('user'), row.assignedUnit)) return undefined;
    return row;
  };
  const notFound = (c: Context) => page(c, '未找到', html`${bar(c)}<h1>未找到该投诉</h1><p>投诉不存在，或不属于您所在单位。</p><p><a href="/staff/">返回投诉队列</a></p>`, 404);

  /**
   * A form sent against an older version of the complaint: what was typed is shown again as a
   * form against the current version, to be checked against the new state and sent again.
   */
  function staleForm(c: Context, row: ComplaintRow, stale: { path: string; values: Record<string, string> }) {
    const kept = Object.entries(stale.values).filter(([k]) => k in STALE_LABELS || ENFORCEMENT_FIGURES.some((f) => f.id === k));
    const label = (k: string) => STALE_LABELS[k] ?? ENFORCEMENT_FIGURES.find((f) => f.id === k)?.label ?? k;
    return html`<form method="post" action="${stale.path}" class="panel-stale" data-stale-form>
<h2>您填写的内容尚未提交</h2>
<p>在您填写期间，该投诉已被他人更新。请先查看下方的最新状态，确认后再提交；不需要时离开本页即可。</p>
<input type="hidden" name="_csrf" value="${c.get('csrfToken')}"><input type="hidden" name="version" value="${row.version}">
${['action', 'do'].filter((k) => stale.values[k]).map((k) => html`<input type="hidden" name="${k}" value="${stale.values[k]}">`)}
${kept.map(([k, v]) => html`<div class="form-group"><label for="s-${k}">${label(k)}</label>${LONG_FIELDS.has(k) ? html`<textarea id="s-${k}" name="${k}" rows="3" maxlength="2000">${v}</textarea>` : html`<input type="text" id="s-${k}" name="${k}" value="${v}">`}</div>`)}
<button type="submit" class="button">确认并重新提交</button>
</form>`;
  }

  async function detail(
    c: Context,
    row: ComplaintRow,
    extra: { error?: string; done?: string; contact?: { name?: string; phone?: string; email?: string } | null; status?: 200 | 403 | 409 | 422; stale?: { path: string; values: Record<string, string> } } = {},
  ) {
    const user = c.get('user') as StaffUser;
    const csrf = html`<input type="hidden" name="_csrf" value="${c.get('csrfToken')}">`;
    const [history, photos] = await Promise.all([historyOf(db, row.id), photosOf(db, row.id)]);
    // The forms shown are exactly what the rules allow this reader now (src/domain/complaint-handling.ts).
    const allowed = new Set<Operation>(
      allowedActions(row.state as ComplaintState, user.role, user.unit, row.assignedUnit, { extendedDays: row.extendedDays, consentPublish: row.consentPublish, published: !!row.publishedAt }),
    );
    const actionForm = (kind: HandlingAction['kind'], title: string, fields: ReturnType<typeof html> | string, button: string) =>
      allowed.has(kind)
        ? html`<form method="post" action="/staff/complaints/${row.id}/action" data-action="${kind}"><h3>${title}</h3>${csrf}<input type="hidden" name="action" value="${kind}"><input type="hidden" name="version" value="${row.version}">${fields}<button type="submit" class="button">${button}</button></form>`
        : '';
    const textField = (name: string, label: string, hint = '') => {
      const id = `a-${name}-${++fieldIds}`;
      return html`<div class="form-group"><label for="${id}">${label}</label>${hint ? html`<p class="hint">${hint}</p>` : ''}<textarea id="${id}" name="${name}" rows="3" maxlength="2000"></textarea></div>`;
    };
    const verdictField = (id: string) =>
      html`<fieldset><legend>核查结论</legend><div class="choices-inline">${VERDICTS.map((v, i) => html`<div class="choice"><input type="radio" id="${id}-${i}" name="verdict" value="${v}"><label for="${id}-${i}">${v}</label></div>`)}</div></fieldset>`;
    let fieldIds = 0;
    const internal = () => {
      const id = `a-internal-${++fieldIds}`;
      return html`<div class="form-group"><label for="${id}">内部备注（选填，不公开）</label><input type="text" id="${id}" name="internalNote" maxlength="${MAX_INTERNAL_NOTE}"></div>`;
    };
    const state = row.state;
    const pub = row.publication;
    return page(
      c,
      `投诉 ${row.reference}`,
      html`${bar(c)}
${extra.error ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>操作未完成</h2><p>${extra.error}</p></div>` : ''}
${extra.done ? html`<div class="notice" role="status"><p>${extra.done}</p></div>` : ''}
${extra.stale ? staleForm(c, row, extra.stale) : ''}
<h1>投诉 <span class="code" data-reference>${row.reference}</span></h1>
<dl class="fields">
  <dt>状态</dt><dd data-state="${state}"><strong>${complaintStateLabel(state)}</strong></dd>
  <dt>提交时间</dt><dd>${formatDateTimeZh(row.createdAt)}</dd>
  <dt>地区</dt><dd>${regionFullName(reference, row.region)}</dd>
  <dt>地址</dt><dd>${row.address}${row.latitude !== null ? html`（纬度 ${row.latitude}，经度 ${row.longitude}）` : ''}</dd>
  <dt>发现时间</dt><dd>${row.observedAt}</dd>
  <dt>污染类型</dt><dd>${row.pollutionTypes.join('、')}</dd>
  <dt>问题描述</dt><dd class="prewrap">${row.description}</dd>
  <dt>涉嫌污染单位</dt><dd>${row.suspectedPolluter ?? '未填写'}</dd>
  <dt>承办单位</dt><dd>${unitName(reference, row.assignedUnit) ?? '未转办'}</dd>
  <dt>核查结论</dt><dd>${row.verdict ?? '—'}</dd>
  <dt>延期</dt><dd>${row.extendedDays ? `${row.extendedDays} 天：${row.extensionReason}` : '未延期'}</dd>
  <dt>重复</dt><dd>${row.duplicateOf ?? '—'}</dd>
  <dt>同意公开</dt><dd>${row.consentPublish ? '同意' : '不同意'}</dd>
  <dt>举报方式</dt><dd>${row.anonymous ? '匿名' : '实名'}</dd>
  <dt>照片</dt><dd>${photos.length ? photos.map((p, i) => html`<a href="/staff/photos/${p.id}/">照片 ${i + 1}</a>（${Math.ceil(p.bytes / 1024)} KB） `) : '无'}</dd>
</dl>
${!row.anonymous && user.role !== 'viewer'
  ? extra.contact
    ? html`<div class="notice" data-contact><h2>投诉人联系方式</h2><p>姓名：${extra.contact.name ?? '—'}；电话：${extra.contact.phone ?? '—'}；电子邮箱：${extra.contact.email ?? '—'}</p><p class="muted">本次查看已记入审计日志。请勿外传。</p></div>`
    : html`<form method="post" action="/staff/complaints/${row.id}/contact">${csrf}<button type="submit" class="button secondary">查看投诉人联系方式（记入审计日志）</button></form>`
  : ''}
<h2>办理过程</h2>
<ol class="timeline">${history.map((e) => html`<li><strong>${complaintStateLabel(e.state)}</strong> <span class="muted">${formatDateTimeZh(e.at)} · ${e.actor === 'reporter' ? '投诉人' : e.actor === 'system' ? '系统' : '工作人员'}</span>${e.publicNote ? html`<p>答复：${e.publicNote}</p>` : ''}${e.internalNote ? html`<p class="muted">内部备注：${e.internalNote}</p>` : ''}</li>`)}</ol>
<h2>办理操作</h2>
<div class="actions">
${actionForm('accept', '受理', internal(), '受理')}
${actionForm('reject', '不予受理', html`${textField('reason', '不予受理的理由', '投诉人可以看到。')}${internal()}`, '不予受理')}
${actionForm('assign', '转办', html`<div class="form-group"><label for="a-unit">承办单位</label><select id="a-unit" name="unit"><option value="">请选择</option>${reference.units.map((u) => html`<option value="${u.id}" ${row.assignedUnit === u.id ? html`selected` : ''}>${u.name}</option>`)}</select></div>${internal()}`, '转办')}
${actionForm('start', '开始办理', internal(), '开始办理')}
${actionForm('extend', '延长办理期限（只能一次）', html`<div class="form-group"><label for="a-days">延长天数（1 至 ${MAX_EXTENSION_DAYS}）</label><input class="short" type="number" id="a-days" name="days" min="1" max="${MAX_EXTENSION_DAYS}"></div>${textField('reason', '延期理由', '投诉人可以看到。')}`, '延长期限')}
${actionForm('close-partially', '阶段性办结', html`${verdictField('a-pv')}${textField('reply', '办理答复', '投诉人可以看到。')}${internal()}`, '阶段性办结')}
${actionForm('close', '办结', html`${verdictField('a-cv')}${textField('reply', '办理答复', '投诉人可以看到。')}${internal()}`, '办结')}
${actionForm('mark-duplicate', '标记为重复举报', html`<div class="form-group"><label for="a-of">与之重复的较早举报的受理编号</label><input class="short" type="text" id="a-of" name="of" placeholder="如 2026-000123"></div>`, '标记重复')}
${actionForm('reopen', '重新办理（投诉人有异议）', textField('reason', '重新办理的理由', '投诉人可以看到。'), '重新办理')}
${allowed.has('record-enforcement')
  ? html`<form method="post" action="/staff/complaints/${row.id}/enforcement" data-action="enforcement"><h3>查处情况</h3>${csrf}<input type="hidden" name="version" value="${row.version}"><p class="hint">未发生的项目留空。${row.publishedAt ? '办理结果已公开：修改查处情况将撤回公开，待管理员审核后重新公开。' : ''}</p><div class="choices-inline">${ENFORCEMENT_FIGURES.map((f) => html`<div class="form-group"><label for="e-${f.id}">${f.label}（${f.unit}）</label><input class="short" type="number" min="0" step="1" id="e-${f.id}" name="${f.id}" value="${row.enforcement?.[f.id] ?? ''}"></div>`)}</div><button type="submit" class="button secondary">保存查处情况</button></form>`
  : ''}
${allowed.has('publish')
  ? html`<form method="post" action="/staff/complaints/${row.id}/publish" data-action="publish"><h3>公开办理结果${row.publishedAt ? html`（已于 ${day(row.publishedAt)} 公开）` : ''}</h3>${csrf}<input type="hidden" name="version" value="${row.version}">
<p class="hint">按“边督边改”公开表填写。不得包含投诉人姓名、联系方式、详细门牌号等个人信息。</p>
<div class="form-group"><label for="p-summary">交办问题基本情况</label><textarea id="p-summary" name="summary" rows="3" maxlength="2000">${pub?.summary ?? ''}</textarea></div>
<div class="form-group"><label for="p-investigation">调查核实情况</label><textarea id="p-investigation" name="investigation" rows="3" maxlength="2000">${pub?.investigation ?? ''}</textarea></div>
<div class="form-group"><label for="p-result">处理和整改情况</label><textarea id="p-result" name="result" rows="3" maxlength="2000">${pub?.result ?? ''}</textarea></div>
<button type="submit" class="button" name="do" value="publish">${row.publishedAt ? '更新公开内容' : '公开'}</button> ${allowed.has('unpublish') ? html`<button type="submit" class="button warning" name="do" value="unpublish">撤回公开</button>` : ''}</form>`
  : allowed.has('unpublish')
    ? html`<form method="post" action="/staff/complaints/${row.id}/publish" data-action="unpublish"><h3>已公开的办理结果（${day(row.publishedAt)} 公开）</h3>${csrf}<input type="hidden" name="version" value="${row.version}"><p class="hint">该投诉已不在可公开的状态，公开页面仍显示原办理结果。</p><button type="submit" class="button warning" name="do" value="unpublish">撤回公开</button></form>`
    : ''}
${user.role === 'viewer' ? html`<p class="muted">只读账号不能执行办理操作。</p>` : ''}
</div>`,
      extra.status ?? 200,
    );
  }

  app.get('/complaints/:id/', async (c) => {
    const row = await load(c);
    if (!row) return notFound(c);
    const done = c.req.query('done');
    return detail(c, row, done ? { done: `已完成：${done.slice(0, 40)}` } : {});
  });

  /** Runs a step, then shows the page again (303 on success, so reloading does not repeat it). */
  async function run(c: Context, row: ComplaintRow, step: () => Promise<unknown>, doneLabel: string) {
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
  const conflict = (c: Context, row: ComplaintRow) =>
    detail(c, row, { error: '该投诉已被他人更新，您的操作未执行。请查看最新状态后再提交。', status: 409, stale: { path: new URL(c.req.url).pathname, values: c.get('form') } });
  /**
   * Every staff form names the version it was shown; an older form must not act on newer state.
   * (A request without one — a script, say — is still checked against the version it was loaded at.)
   */
  const staleVersion = (c: Context, row: ComplaintRow) => {
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

  app.route('/objections/', dispositionForms({ ...deps, page, bar }));
  app.route('/outbox/', outboxPage({ ...deps, page, bar }));

  return app;
}

/** Fields of the staff forms that a stale form shows again, with their labels. */
const STALE_LABELS: Record<string, string> = {
  reason: '理由', reply: '办理答复', verdict: '核查结论', days: '延长天数', unit: '承办单位编号', of: '重复的受理编号',
  internalNote: '内部备注', summary: '交办问题基本情况', investigation: '调查核实情况', result: '处理和整改情况',
};
const LONG_FIELDS = new Set(['reason', 'reply', 'summary', 'investigation', 'result']);

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

