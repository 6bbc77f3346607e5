/**
 * Objections during a sign-off notice window (验收销号公示).
 *
 * GET  /objections/:itemId/    the item's live sign-off state, the form while the window is open,
 *                              and every objection's published disposition
 * POST /objections/:itemId/    lodge an objection → 303 with a receipt code; 422 with the form again
 * Staff (mounted under /staff/objections/): list and record dispositions.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { desc, eq, isNull, and } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, objections } from '../../db/schema.ts';
import { formatTrackingCode, normaliseTrackingCode } from '../../src/domain/complaint.ts';
import { formatDateTimeZh, formatDateZh, todayInChina } from '../../src/domain/dates.ts';
import { fieldErrors } from '../../src/domain/field-errors.ts';
import { SIGN_OFF_LABELS, signOffState, windowOpen } from '../../src/domain/signoff.ts';
import type { NoticeRef } from '../../src/site/reference.ts';
import { urls } from '../../src/site/urls.ts';
import { writeWithFreshCode } from '../complaint-service.ts';
import { formKeyOf, limitClient, type ComplaintDeps } from '../complaints.ts';
import { idempotencyKeyFor } from '../intake.ts';
import { decryptJson, encryptJson, randomToken } from '../crypto.ts';

/** What an objector may leave: encrypted at rest, shown to admins only on an audited request. */
interface ObjectionContact {
  name?: string;
  phone?: string;
}
import type { Database } from '../db.ts';
import type { StaffUser } from '../staff.ts';
import { html, renderPage, type ShellSource } from './shell.ts';

const objectionInput = z.object({
  text: z.string().trim().min(10, '异议内容至少 10 个字').max(2000, '异议内容不能超过 2000 个字'),
  name: z.string().trim().max(50, '姓名不能超过 50 个字').optional(),
  phone: z.string().trim().max(30, '电话不能超过 30 个字符').optional(),
  website: z.string().max(0, '提交被拒绝').optional(),
});

export async function objectionsOf(db: Database, itemId: string) {
  return db.select().from(objections).where(eq(objections.itemId, itemId)).orderBy(objections.createdAt);
}

export function objectionPages(deps: ComplaintDeps & { shells?: ShellSource | undefined }) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();
  const notice = (id: string) => reference.notices.find((n) => n.itemId === id);

  async function show(c: Context, n: NoticeRef, form: { values: Record<string, string>; errors: Record<string, string> } | undefined, status: 200 | 422 = 200) {
    const today = todayInChina(now());
    const list = await objectionsOf(db, n.itemId);
    const state = signOffState(n, today, list.map((o) => ({ disposed: !!o.disposition })));
    const receipt = normaliseTrackingCode(c.req.query('receipt') ?? '');
    const mine = receipt && list.find((o) => o.trackingCode === receipt);
    const errors = form?.errors ?? {};
    const values = form?.values ?? {};
    const entries = Object.entries(errors);
    return renderPage(c, deps.shells, {
      section: 'complaints',
      title: `${entries.length ? '错误：' : ''}销号公示异议：${n.title}`,
      status,
      body: html`${mine ? html`<div class="panel-confirm" role="status"><h2>异议已提交</h2><p>回执编号</p><p class="code" data-objection-code>${formatTrackingCode(mine.trackingCode)}</p><p>处理结果将在本页公开。</p></div>` : ''}
<h1>销号公示异议</h1>
<p class="lead"><a href="${urls.item(n.itemId)}">${n.title}</a></p>
<dl class="fields">
  <dt>公示期</dt><dd>${formatDateZh(n.noticeFrom)}至${formatDateZh(n.noticeTo)}</dd>
  <dt>销号状态</dt><dd data-signoff-state="${state}"><strong>${SIGN_OFF_LABELS[state]}</strong>${state === 'signed-off' ? html`（${formatDateZh(n.signedOffOn ?? undefined)}）` : ''}</dd>
  ${n.objectionContact ? html`<dt>其他异议渠道</dt><dd>${n.objectionContact}</dd>` : ''}
</dl>
<p class="muted">公示期满且每一件异议都已公开处理结果后，该问题才显示为“已销号”。</p>
${windowOpen(n, today)
  ? html`<h2>提出异议</h2>
${entries.length ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>提交内容有误</h2><ul>${entries.map(([f, m]) => html`<li><a href="#o-${f}">${m}</a></li>`)}</ul></div>` : ''}
<form method="post" action="/objections/${n.itemId}/" novalidate>
  <input type="hidden" name="formKey" value="${formKeyOf(values.formKey) ?? randomToken()}">
  <div class="${errors.text ? 'form-group has-error' : 'form-group'}"><label for="o-text">异议内容</label><p class="hint" id="o-text-hint">说明您认为该问题尚未整改到位的事实和依据，10 至 2000 字。</p>
  ${errors.text ? html`<p class="field-error" id="o-text-error"><span class="visually-hidden">错误：</span>${errors.text}</p>` : ''}
  <textarea id="o-text" name="text" rows="6" maxlength="2000" aria-describedby="o-text-hint${errors.text ? ' o-text-error' : ''}">${values.text ?? ''}</textarea></div>
  <div class="form-group"><label for="o-name">姓名（选填，不公开）</label><input type="text" id="o-name" name="name" maxlength="50" value="${values.name ?? ''}"></div>
  <div class="form-group"><label for="o-phone">电话（选填，不公开）</label><input class="short" type="tel" id="o-phone" name="phone" maxlength="30" value="${values.phone ?? ''}"></div>
  <div class="trap" aria-hidden="true"><label for="o-website">网站（请勿填写）</label><input type="text" id="o-website" name="website" tabindex="-1" autocomplete="off"></div>
  <button type="submit" class="button">提交异议</button>
</form>`
  : ''}
<h2>异议及处理情况</h2>
${list.length
  ? html`<table class="data" data-objections><thead><tr><th scope="col">回执编号</th><th scope="col">提交时间</th><th scope="col">处理结果</th></tr></thead><tbody>${list.map((o) => html`<tr><td class="code">${formatTrackingCode(o.trackingCode)}</td><td>${formatDateTimeZh(o.createdAt)}</td><td>${o.disposition ?? '处理中'}</td></tr>`)}</tbody></table>`
  : html`<p>尚无异议。</p>`}`,
    });
  }

  const missing = (c: Context) =>
    renderPage(c, deps.shells, { section: 'complaints', title: '没有进行中的销号公示', status: 404, body: html`<h1>没有进行中的销号公示</h1><p>该问题没有公开的销号公示期。</p>` });

  app.get('/:itemId/', async (c) => {
    const n = notice(c.req.param('itemId'));
    return n ? show(c, n, undefined) : missing(c);
  });

  const tooLarge = (c: Context) =>
    renderPage(c, deps.shells, { section: 'complaints', title: '提交内容过大', status: 413, body: html`<h1>提交内容过大</h1><p>异议内容不能超过 2000 字。请返回后修改再提交。</p>` });

  app.post('/:itemId/', bodyLimit({ maxSize: 16 * 1024, onError: tooLarge }), async (c) => {
    const n = notice(c.req.param('itemId'));
    if (!n) return missing(c);
    const today = todayInChina(now());
    if (!windowOpen(n, today)) return show(c, n, { values: {}, errors: { text: '公示期已结束或尚未开始，不能在线提出异议' } }, 422);
    const { client, retryAfter } = await limitClient(deps, c, 'objection');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return show(c, n, { values: {}, errors: { text: `提交过于频繁，请在 ${Math.ceil(retryAfter / 60)} 分钟后再试` } }, 422);
    }
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      return show(c, n, { values: {}, errors: { text: '表单内容无法解析，请重新提交' } }, 422);
    }
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const parsed = objectionInput.safeParse({ text: values.text ?? '', name: values.name || undefined, phone: values.phone || undefined, website: values.website || undefined });
    if (!parsed.success) {
      return show(c, n, { values, errors: fieldErrors(parsed.error, { key: 'field', root: 'text' }) }, 422);
    }
    const idempotencyKey = await idempotencyKeyFor(client, formKeyOf(values.formKey) && `objection:${values.formKey}`, { item: n.itemId, ...parsed.data });
    const existing = await db.query.objections.findFirst({ where: eq(objections.idempotencyKey, idempotencyKey) });
    if (existing) return c.redirect(`/objections/${n.itemId}/?receipt=${existing.trackingCode}`, 303);
    const id = crypto.randomUUID();
    const contact = parsed.data.name || parsed.data.phone ? await encryptJson(deps.contactKey, { name: parsed.data.name, phone: parsed.data.phone }, id) : null;
    const outcome = await writeWithFreshCode(
      (trackingCode) => db.insert(objections).values({ id, trackingCode, idempotencyKey, itemId: n.itemId, text: parsed.data.text, contactCiphertext: contact, clientHash: client, createdAt: now().toISOString() }),
      () => db.query.objections.findFirst({ where: eq(objections.idempotencyKey, idempotencyKey) }),
    );
    const code = 'winner' in outcome ? outcome.winner.trackingCode : outcome.trackingCode;
    return c.redirect(`/objections/${n.itemId}/?receipt=${code}`, 303);
  });

  return app;
}

/** Staff: objections awaiting a disposition, and the form to record one (admin only). */
export function dispositionForms(deps: ComplaintDeps & {
  page: (c: Context, title: string, body: ReturnType<typeof html>, status?: 200 | 403 | 404 | 422) => Promise<Response> | Response;
  bar: (c: Context) => ReturnType<typeof html>;
}) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<{ Variables: { user: StaffUser; csrfToken: string; form: Record<string, string> } }>();

  const list = async (c: Context, error?: string, shown?: { id: string; contact: ObjectionContact | null }) => {
    const rows = await db.select().from(objections).orderBy(desc(objections.createdAt)).limit(500);
    const user = c.get('user') as StaffUser;
    return deps.page(
      c,
      '销号异议',
      html`${deps.bar(c)}<h1>销号公示异议</h1>
${error ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>操作未完成</h2><p>${error}</p></div>` : ''}
${rows.length
  ? rows.map(
      (o) => html`<section class="card"><h2 class="code">${formatTrackingCode(o.trackingCode)}</h2>
<p>问题：<a href="/objections/${o.itemId}/">${reference.notices.find((n) => n.itemId === o.itemId)?.title ?? o.itemId}</a> · ${formatDateTimeZh(o.createdAt)}</p>
<p class="prewrap">${o.text}</p>
${o.disposition
  ? html`<p><strong>处理结果（已公开）：</strong>${o.disposition}</p>`
  : user.role === 'admin'
    ? html`<form method="post" action="/staff/objections/${o.id}"><input type="hidden" name="_csrf" value="${c.get('csrfToken')}"><div class="form-group"><label for="d-${o.id}">处理结果（将公开）</label><textarea id="d-${o.id}" name="disposition" rows="3" maxlength="2000"></textarea></div><button type="submit" class="button">公开处理结果</button></form>`
    : html`<p>待处理</p>`}
${o.contactCiphertext && user.role === 'admin'
  ? shown?.id === o.id
    ? html`<div class="notice" data-contact><h3>异议人联系方式</h3><p>${shown.contact?.name ? html`姓名：${shown.contact.name}；` : ''}电话：${shown.contact?.phone ?? '—'}</p><p class="muted">本次查看已记入审计日志。请勿外传。</p></div>`
    : html`<form method="post" action="/staff/objections/${o.id}/contact"><input type="hidden" name="_csrf" value="${c.get('csrfToken')}"><button type="submit" class="button secondary">查看异议人联系方式（记入审计日志）</button></form>`
  : ''}
</section>`,
    )
  : html`<p>尚无异议。</p>`}`,
      error ? 422 : 200,
    );
  };

  app.get('/', (c) => list(c));
  // Contact details of an objector: admins only, on an explicit request, audited before they are shown.
  app.post('/:id/contact', async (c) => {
    const user = c.get('user');
    if (user.role !== 'admin') return deps.page(c, '无权操作', html`${deps.bar(c)}<h1>无权操作</h1><p>只有管理员可以查看异议人联系方式。</p>`, 403);
    const row = await db.query.objections.findFirst({ where: eq(objections.id, c.req.param('id').slice(0, 64)) });
    if (!row) return deps.page(c, '未找到', html`${deps.bar(c)}<h1>未找到该异议</h1><p><a href="/staff/objections/">返回</a></p>`, 404);
    if (!row.contactCiphertext) return list(c, undefined, { id: row.id, contact: null });
    await db.insert(auditLog).values({ at: now().toISOString(), actor: user.id, action: 'view_objection_contact', target: row.id });
    return list(c, undefined, { id: row.id, contact: await decryptJson<ObjectionContact>(deps.contactKey, row.contactCiphertext, row.id) });
  });
  app.post('/:id', async (c) => {
    const user = c.get('user');
    if (user.role !== 'admin') return deps.page(c, '无权操作', html`${deps.bar(c)}<h1>无权操作</h1><p>只有管理员可以公开异议处理结果。</p>`, 403);
    const text = (c.get('form').disposition ?? '').trim();
    if (!text || text.length > 2000) return list(c, '请填写处理结果（不超过 2000 字）');
    const at = now().toISOString();
    // Recorded and audited together, and only if the objection is still open.
    const done = await db.transaction(async (tx) => {
      const rows = await tx.update(objections).set({ disposition: text, disposedAt: at, disposedBy: user.id }).where(and(eq(objections.id, c.req.param('id')), isNull(objections.disposition))).returning({ id: objections.id });
      if (rows.length) await tx.insert(auditLog).values({ at, actor: user.id, action: 'objection_disposition', target: c.req.param('id') });
      return rows.length > 0;
    });
    if (!done) return list(c, '该异议不存在或已处理');
    return c.redirect('/staff/objections/', 303);
  });
  return app;
}
