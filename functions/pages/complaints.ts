/**
 * The public complaint pages, rendered at run time (they show what is in the
 * database): the form and its no-JavaScript submission, the receipt and
 * tracking page, the reporter's dispute, and the list of published results.
 *
 * GET  /complaints/                       published results (边督边改 table), with filters
 * GET  /complaints/new/                   the form
 * POST /complaints/new/                   form POST → 303 to the receipt; 422 with the form again on errors;
 *                                         with `Accept: application/json` (the form's script) → the API's JSON
 * GET  /complaints/:reference/            the public record of a published complaint (by its reference number)
 * GET  /complaints/track/?code=           look up a tracking code (the reporter's secret)
 * GET  /complaints/track/:code/           the reporter's page: status, deadlines, timeline and public replies
 * POST /complaints/track/:code/dispute    the reporter disputes a closure
 *
 * Two identifiers: the reference number (受理编号, 2026-000123) is public and grants nothing;
 * the tracking code (查询码) is the reporter's only credential, shown once on the receipt and
 * used only in their tracking link — never on a public page.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { complaintFromForm, normaliseTrackingCode } from '../../src/domain/complaint.ts';
import { HandlingError, ENFORCEMENT_FIGURES } from '../../src/domain/complaint-handling.ts';
import { complaintStateLabel } from '../../src/domain/complaint-states.ts';
import { formatDateTimeZh, formatDateZh, todayInChina } from '../../src/domain/dates.ts';
import { PHOTO_LIMITS } from '../../src/domain/photos.ts';
import { regionFullName, unitName } from '../../src/site/reference.ts';
import { randomToken } from '../crypto.ts';
import { disputeByReporter, findByCode, findPublished, listPublished, publicView } from '../complaint-service.ts';
import { formKeyOf, intakeInJson, limitClient, type ComplaintDeps } from '../complaints.ts';
import { intake } from '../intake.ts';
import { apiError } from '../errors.ts';
import { complaintForm, FORM_ERROR, type FormValues } from './complaint-form.ts';
import { html, renderPage, type ShellSource } from './shell.ts';
import { publishedFilters, PUBLISHED_PAGE_SIZE } from './published.ts';

export interface PageDeps extends ComplaintDeps {
  shells?: ShellSource | undefined;
}

/** Multipart bodies carry up to three photos; anything bigger is refused before it is read. */
export const MAX_FORM_BYTES = PHOTO_LIMITS.maxCount * PHOTO_LIMITS.maxBytes + 64 * 1024;

const wantsJson = (c: Context) => (c.req.header('Accept') ?? '').includes('application/json');

type FormBody = Record<string, string | File | (string | File)[]>;

/** What was typed, to show in the form again (files are not kept). */
function formValues(body: FormBody): FormValues {
  const values: FormValues = {};
  for (const [k, v] of Object.entries(body)) {
    const s = [v].flat().filter((x): x is string => typeof x === 'string');
    values[k] = Array.isArray(v) ? s : s[0];
  }
  return values;
}

export function complaintPages(deps: PageDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  /** A short page with a heading and a message, for refusals and errors. */
  const messagePage = (c: Context, status: 400 | 404 | 413 | 415 | 422 | 429, title: string, message: string) =>
    renderPage(c, deps.shells, { section: 'complaints', title, status, body: html`<h1>${title}</h1><p>${message}</p><p><a href="/complaints/new/">返回投诉举报</a> · <a href="/complaints/track/">查询办理进展</a></p>` });

  const showForm = (c: Context, values: FormValues, errors: Record<string, string>, status: 200 | 422 | 429 = 200) =>
    renderPage(c, deps.shells, {
      section: 'complaint-form',
      title: Object.keys(errors).length ? '错误：投诉举报' : '投诉举报',
      status,
      body: complaintForm(values, errors, { reference, today: todayInChina(now()), formKey: formKeyOf(values.formKey) ?? randomToken(), photos: !!deps.photos }),
    });

  app.get('/new/', (c) => showForm(c, {}, {}));

  app.post(
    '/new/',
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: (c) =>
        wantsJson(c)
          ? apiError(c, 413, 'payload_too_large', `提交内容过大（上限 ${Math.floor(MAX_FORM_BYTES / 1024 / 1024)} MB）。`)
          : messagePage(c, 413, '提交内容过大', `照片总大小超过上限。每张照片不超过 ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB，最多 ${PHOTO_LIMITS.maxCount} 张。请返回后重新选择照片。`),
    }),
    async (c) => {
      const type = (c.req.header('Content-Type') ?? '').toLowerCase();
      if (!type.startsWith('multipart/form-data') && !type.startsWith('application/x-www-form-urlencoded')) {
        return wantsJson(c)
          ? apiError(c, 415, 'unsupported_media_type', '请以表单（multipart/form-data 或 application/x-www-form-urlencoded）提交。')
          : messagePage(c, 415, '无法识别的提交方式', '请使用本站的表单提交。');
      }
      let values: FormValues = {};
      const outcome = await intake(deps, {
        address: deps.clientAddress(c),
        read: async () => {
          let body: FormBody;
          try {
            body = await c.req.parseBody({ all: true });
          } catch {
            return { rejected: 'unreadable' as const };
          }
          values = formValues(body);
          const strings = (name: string) => [body[name]].flat().filter((v): v is string => typeof v === 'string');
          const formKey = formKeyOf(values.formKey);
          return {
            input: complaintFromForm((n) => strings(n)[0], strings),
            key: formKey ? { submission: `form:${formKey}` } : undefined,
            // A file input left empty arrives as a part with no file name and no bytes: no photo.
            // A chosen file of 0 bytes is an error like any unreadable file, not silently dropped.
            photos: [body.photos].flat().filter((f): f is File => typeof f === 'object' && f !== null && !(f.name === '' && f.size === 0)),
            captcha: { token: (field) => body[field], when: 'always' },
          };
        },
      });
      // This form was submitted before, then changed: the change is a new complaint, never merged into
      // the first. Ask for a confirmation under a fresh key, with everything typed kept.
      const keyReused = '这份表单已经提交过一次，修改后的内容将作为一件新的举报。请核对后再次提交。';
      if ('rateLimited' in outcome) {
        if (wantsJson(c)) return intakeInJson(c, outcome, keyReused);
        c.header('Retry-After', String(outcome.rateLimited));
        const tooMany = `提交过于频繁。为防止滥用，同一网络短时间内的提交次数有限，请在 ${Math.ceil(outcome.rateLimited / 60)} 分钟后再试。`;
        let body: FormBody;
        try {
          body = await c.req.parseBody({ all: true });
        } catch {
          return messagePage(c, 429, '提交过于频繁', tooMany);
        }
        // The form again with everything typed (the same form key, so a later resubmission is
        // still recognised), rather than a page that throws the input away.
        const photos = deps.photos && [body.photos].flat().some((f) => typeof f === 'object' && f !== null && f.size > 0);
        return showForm(c, formValues(body), { [FORM_ERROR]: `${tooMany}您填写的内容已保留，到时再点击“提交举报”即可${photos ? '（照片需重新选择）' : ''}。` }, 429);
      }
      if ('rejected' in outcome) {
        return wantsJson(c) ? apiError(c, 400, 'invalid_form', '表单内容无法解析。') : messagePage(c, 400, '表单内容无法解析', '请返回后重新提交。');
      }
      if (wantsJson(c)) return intakeInJson(c, outcome, keyReused);
      if ('refused' in outcome) return showForm(c, values, outcome.refused, 422);
      if ('keyReused' in outcome) return showForm(c, { ...values, formKey: randomToken() }, { _: keyReused }, 422);
      return c.redirect(`${outcome.ok.trackUrl}?new=1`, 303);
    },
  );

  const lookupForm = (code: string, error?: string) => html`<form method="get" action="/complaints/track/" novalidate>
  ${error ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>无法查询</h2><ul><li><a href="#f-code">${error}</a></li></ul></div>` : ''}
  <div class="${error ? 'form-group has-error' : 'form-group'}">
    <label for="f-code">查询码</label>
    <p class="hint" id="f-code-hint">提交举报时回执上的 13 位查询码，如 ABCD-EFGH-JKMN-P；不区分大小写，可不输入短横线。查询码不是受理编号，请勿告诉他人。</p>
    ${error ? html`<p class="field-error" id="f-code-error"><span class="visually-hidden">错误：</span>${error}</p>` : ''}
    <input class="short" type="text" id="f-code" name="code" value="${code}" autocomplete="off" spellcheck="false" aria-describedby="f-code-hint${error ? ' f-code-error' : ''}">
  </div>
  <button type="submit" class="button">查询</button>
</form>`;

  app.get('/track/', async (c) => {
    const input = c.req.query('code');
    if (input === undefined) {
      return renderPage(c, deps.shells, { section: 'complaints', title: '查询办理进展', body: html`<h1>查询办理进展</h1>${lookupForm('')}` });
    }
    const code = normaliseTrackingCode(input.slice(0, 40));
    if (code) return c.redirect(`/complaints/track/${code}/`, 303);
    const error = input.trim() ? '查询码应为 13 位字母和数字，请核对后重试' : '请输入查询码';
    return renderPage(c, deps.shells, { section: 'complaints', title: '错误：查询办理进展', status: 422, body: html`<h1>查询办理进展</h1>${lookupForm(input.slice(0, 40), error)}` });
  });

  const notFoundCode = (c: Context, input: string) =>
    renderPage(c, deps.shells, {
      section: 'complaints',
      title: '未找到该查询码',
      status: 404,
      body: html`<h1>未找到该查询码</h1><p>请核对后重试。查询码由字母和数字组成，不含 0、1、I、O。</p>${lookupForm(input.slice(0, 40))}`,
    });

  app.get('/track/:code/', async (c) => {
    const { retryAfter } = await limitClient(deps, c, 'lookup');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return messagePage(c, 429, '查询过于频繁', `请在 ${Math.ceil(retryAfter / 60)} 分钟后再试。`);
    }
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return notFoundCode(c, c.req.param('code'));
    if (row.trackingCode !== c.req.param('code')) return c.redirect(`/complaints/track/${row.trackingCode}/`, 301);
    const view = await publicView(db, row, now());
    const fresh = c.req.query('new') === '1';
    // The address holds the reporter's secret: it must not stay in a shared cache (nor leave in a
    // Referer: see the /complaints/track/* header in app.ts).
    c.header('Cache-Control', 'private, no-store');
    return renderPage(c, deps.shells, {
      section: 'complaints',
      title: fresh ? '举报已提交' : `受理编号 ${view.reference}`,
      body: html`${fresh
        ? html`<div class="panel-confirm" role="status"><h1>举报已提交</h1><p>受理编号</p><p class="code" data-reference>${view.reference}</p><p>您的查询码（只显示这一次）</p><p class="code" data-tracking-code>${view.trackingCodeDisplay}</p><p>请记下或截图保存查询码，凭它查询办理进展、对办理结果提出异议；它相当于密码，请勿告诉他人。受理编号是公开的，可用于与工作人员沟通。本页地址含查询码，可以收藏，但不要分享。</p></div>`
        : html`<h1>受理编号 <span class="code" data-reference>${view.reference}</span></h1>`}
<dl class="fields">
  <dt>当前状态</dt><dd data-state="${view.state}"><strong>${view.stateLabel}</strong>${view.overdue ? html` <span class="badge bad">已超过办理时限</span>` : ''}</dd>
  <dt>提交时间</dt><dd>${formatDateTimeZh(view.receivedAt)}</dd>
  <dt>地区</dt><dd>${regionFullName(reference, view.region)}</dd>
  <dt>污染类型</dt><dd>${view.pollutionTypes.join('、')}</dd>
  <dt>受理期限</dt><dd>${formatDateZh(todayInChina(new Date(view.decideBy)))}前决定是否受理</dd>
  ${view.closeBy ? html`<dt>办结期限</dt><dd>${formatDateZh(todayInChina(new Date(view.closeBy)))}${view.extension ? html`（已延长 ${view.extension.days} 天：${view.extension.reason}）` : ''}</dd>` : ''}
  ${view.assignedUnit ? html`<dt>承办单位</dt><dd>${unitName(reference, view.assignedUnit)}</dd>` : ''}
  ${view.verdict ? html`<dt>核查结论</dt><dd>${view.verdict}</dd>` : ''}
  ${view.duplicateOf ? html`<dt>重复举报</dt><dd>与受理编号 <span class="code">${view.duplicateOf}</span> 的举报合并办理</dd>` : ''}
  ${view.duplicates.length ? html`<dt>合并办理的重复举报</dt><dd>受理编号 ${view.duplicates.map((d, i) => html`${i ? '、' : ''}<span class="code">${d}</span>`)}</dd>` : ''}
  ${view.published ? html`<dt>公开的办理结果</dt><dd><a href="/complaints/${view.reference}/">查看公开页面</a></dd>` : ''}
</dl>
<h2>办理过程</h2>
<ol class="timeline">
${view.timeline.map((s) => html`<li><strong>${s.stateLabel}</strong> <span class="muted">${formatDateTimeZh(s.at)}</span>${s.publicNote ? html`<p>${s.publicNote}</p>` : ''}</li>`)}
</ol>
${view.disputable ? disputeForm(view.trackingCode, '', undefined) : ''}
<p class="muted">本页只显示办理状态和答复，不显示举报内容、地址和任何个人信息。</p>`,
    });
  });

  function disputeForm(code: string, note: string, error: string | undefined) {
    return html`<h2>对办理结果有异议</h2>
<form method="post" action="/complaints/track/${code}/dispute" novalidate>
  ${error ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>提交内容有误</h2><ul><li><a href="#f-note">${error}</a></li></ul></div>` : ''}
  <div class="${error ? 'form-group has-error' : 'form-group'}">
    <label for="f-note">异议说明</label>
    <p class="hint" id="f-note-hint">说明您认为办理结果与实际不符之处。提交后该投诉将退回重新审查。异议说明只交工作人员审查，不会公开；公开页面只显示“投诉人对办理结果提出异议”。</p>
    ${error ? html`<p class="field-error" id="f-note-error"><span class="visually-hidden">错误：</span>${error}</p>` : ''}
    <textarea id="f-note" name="note" maxlength="2000" rows="5" aria-describedby="f-note-hint${error ? ' f-note-error' : ''}">${note}</textarea>
  </div>
  <button type="submit" class="button secondary">提交异议</button>
</form>`;
  }

  app.post('/track/:code/dispute', bodyLimit({ maxSize: 16 * 1024, onError: (c) => messagePage(c, 413, '提交内容过大', '异议说明不能超过 2000 字。') }), async (c) => {
    const { retryAfter } = await limitClient(deps, c, 'dispute');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return messagePage(c, 429, '提交过于频繁', `请在 ${Math.ceil(retryAfter / 60)} 分钟后再试。`);
    }
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return notFoundCode(c, c.req.param('code'));
    let note = '';
    try {
      const body = await c.req.parseBody();
      note = typeof body.note === 'string' ? body.note : '';
    } catch {
      return messagePage(c, 400, '表单内容无法解析', '请返回后重新提交。');
    }
    try {
      await disputeByReporter(db, row, note, now());
    } catch (error) {
      if (!(error instanceof HandlingError)) throw error;
      return renderPage(c, deps.shells, { section: 'complaints', title: '错误：对办理结果有异议', status: 422, body: html`<h1>对办理结果有异议</h1>${disputeForm(row.trackingCode, note.slice(0, 2000), error.message)}` });
    }
    return c.redirect(`/complaints/track/${row.trackingCode}/`, 303);
  });

  // The public record of one published complaint, by its reference number. An unpublished or unknown
  // number gets the same 404: the page says nothing about complaints that are not public.
  app.get('/:ref{[0-9]{4}-[0-9]{6,9}}/', async (c) => {
    const row = await findPublished(db, c.req.param('ref'));
    if (!row) return messagePage(c, 404, '没有公开的办理结果', '没有找到该受理编号的公开办理结果：编号有误，或该举报的办理结果尚未公开（只公开投诉人同意公开的办理结果）。');
    const r = { ...row, reference: row.reference ?? '' };
    return renderPage(c, deps.shells, {
      section: 'complaints',
      title: `投诉办理结果 ${r.reference}`,
      body: html`<h1>投诉办理结果 <span class="code" data-reference>${r.reference}</span></h1>
<dl class="fields" data-published-record>
  <dt>受理日期</dt><dd>${formatDateZh(todayInChina(new Date(r.createdAt)))}</dd>
  <dt>行政区域</dt><dd>${regionFullName(reference, r.region)}</dd>
  <dt>污染类型</dt><dd>${r.pollutionTypes.join('、')}</dd>
  <dt>交办问题基本情况</dt><dd class="prewrap">${r.publication.summary}</dd>
  <dt>调查核实情况</dt><dd class="prewrap">${r.publication.investigation}</dd>
  <dt>是否属实</dt><dd>${r.verdict ?? '未公开'}</dd>
  <dt>处理和整改情况</dt><dd class="prewrap">${r.publication.result}</dd>
  <dt>办理状态</dt><dd>${complaintStateLabel(r.state)}</dd>
  <dt>责任单位</dt><dd>${unitName(reference, r.assignedUnit) ?? '未公开'}</dd>
  <dt>查处情况</dt><dd>${enforcementText(r.enforcement ?? {})}</dd>
  <dt>公开时间</dt><dd>${formatDateZh(todayInChina(new Date(r.publishedAt)))}</dd>
</dl>
<p class="muted">本页内容由工作人员按“边督边改”公开表的格式撰写，不含投诉人的个人信息和详细地址。</p>
<p><a href="/complaints/">返回投诉举报办理情况</a></p>`,
    });
  });

  app.get('/', async (c) => {
    const { filters, page, error } = publishedFilters(c, reference);
    const { total, rows } = await listPublished(db, filters, page, PUBLISHED_PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / PUBLISHED_PAGE_SIZE));
    const query = new URLSearchParams(Object.entries(c.req.query()).filter(([k, v]) => k !== 'page' && v) as [string, string][]);
    const regions = reference.regions.filter((r) => r.level !== 'national');
    return renderPage(c, deps.shells, {
      section: 'complaints',
      title: '投诉举报办理情况',
      status: error ? 400 : 200,
      body: html`<h1>投诉举报办理情况</h1>
<p class="lead">群众举报的办结情况，按中央生态环境保护督察“边督边改”公开表的格式公开。只公开投诉人同意公开的投诉，且不含任何个人信息和详细地址。</p>
<p><a class="button" href="/complaints/new/">我要举报</a> <a class="button secondary" href="/complaints/track/">查询办理进展</a></p>
${error ? html`<div class="error-summary" role="alert"><h2>筛选条件有误</h2><p>${error}</p></div>` : ''}
<form method="get" action="/complaints/" class="filters" aria-label="筛选">
  <div class="form-group"><label for="q-region">地区</label><select id="q-region" name="region"><option value="">全部</option>${regions.map((r) => html`<option value="${r.id}" ${c.req.query('region') === r.id ? html`selected` : ''}>${regionFullName(reference, r.id)}</option>`)}</select></div>
  <div class="form-group"><label for="q-type">污染类型</label><select id="q-type" name="type"><option value="">全部</option>${['大气', '水', '噪声', '固体废物', '土壤', '辐射', '生态破坏', '其他'].map((t) => html`<option ${c.req.query('type') === t ? html`selected` : ''}>${t}</option>`)}</select></div>
  <div class="form-group"><label for="q-verdict">是否属实</label><select id="q-verdict" name="verdict"><option value="">全部</option>${['属实', '基本属实', '部分属实', '不属实'].map((t) => html`<option ${c.req.query('verdict') === t ? html`selected` : ''}>${t}</option>`)}</select></div>
  <button type="submit" class="button secondary">筛选</button>
</form>
<p>共 <strong data-published-total>${total}</strong> 件。下载：<a href="/api/complaints/published?${query.toString()}${query.size ? '&' : ''}format=csv">CSV</a> · <a href="/api/complaints/published?${query.toString()}">JSON</a></p>
${rows.length
  ? html`<div class="table-scroll"><table class="data" data-published-table>
<caption class="visually-hidden">投诉举报办理情况（第 ${page} 页）</caption>
<thead><tr><th scope="col">受理编号</th><th scope="col">受理日期</th><th scope="col">行政区域</th><th scope="col">污染类型</th><th scope="col">交办问题基本情况</th><th scope="col">调查核实情况</th><th scope="col">是否属实</th><th scope="col">处理和整改情况</th><th scope="col">是否办结</th><th scope="col">责任单位</th><th scope="col">查处情况</th></tr></thead>
<tbody>${rows.map(
      (r) => html`<tr><td><a class="code" href="/complaints/${r.reference}/">${r.reference}</a></td><td>${formatDateZh(todayInChina(new Date(r.receivedAt)))}</td><td>${regionFullName(reference, r.region)}</td><td>${r.pollutionTypes.join('、')}</td><td>${r.summary}</td><td>${r.investigation}</td><td>${r.verdict ?? '未公开'}</td><td>${r.result}</td><td>${r.closed ? '已办结' : r.stateLabel}</td><td>${unitName(reference, r.responsibleUnit) ?? '未公开'}</td><td>${enforcementText(r.enforcement)}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>暂无公开的办理结果。</p>`}
${pages > 1
  ? html`<nav aria-label="分页"><p>第 ${page} / ${pages} 页 ${page > 1 ? html`<a href="/complaints/?${query.toString()}${query.size ? '&' : ''}page=${page - 1}">上一页</a>` : ''} ${page < pages ? html`<a href="/complaints/?${query.toString()}${query.size ? '&' : ''}page=${page + 1}">下一页</a>` : ''}</p></nav>`
  : ''}`,
    });
  });

  return app;
}

/** 责令整改 2 家，罚款 50000 元 …; figures not recorded are left out. */
export function enforcementText(figures: Record<string, number>): string {
  const parts = ENFORCEMENT_FIGURES.filter((f) => figures[f.id] !== undefined).map((f) => `${f.label} ${figures[f.id]} ${f.unit}`);
  return parts.length ? parts.join('，') : '—';
}
