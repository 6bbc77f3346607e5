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
import { normaliseTrackingCode } from '../../src/domain/complaint.ts';
import { todayInChina } from '../../src/domain/dates.ts';
import { fieldErrors } from '../../src/domain/field-errors.ts';
import { windowOpen } from '../../src/domain/signoff.ts';
import type { NoticeRef } from '../../src/site/reference.ts';
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
import { staffFrame, staffMessage, type StaffEnv } from './staff-frame.ts';

const objectionInput = z.object({
  text: z.string().trim().min(10, '异议内容至少 10 个字').max(2000, '异议内容不能超过 2000 个字'),
  name: z.string().trim().max(50, '姓名不能超过 50 个字').optional(),
  phone: z.string().trim().max(30, '电话不能超过 30 个字符').optional(),
  website: z.string().max(0, '提交被拒绝').optional(),
});

export async function objectionsOf(db: Database, itemId: string) {
  return db.select().from(objections).where(eq(objections.itemId, itemId)).orderBy(objections.createdAt);
}

export function objectionPages(deps: ComplaintDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();
  const notice = (id: string) => reference.notices.find((n) => n.itemId === id);

  async function show(c: Context, n: NoticeRef, form: { values: Record<string, string>; errors: Record<string, string> } | undefined, status: 200 | 422 = 200) {
    const list = await objectionsOf(db, n.itemId);
    const receipt = normaliseTrackingCode(c.req.query('receipt') ?? '');
    const errors = form?.errors ?? {};
    const values = form?.values ?? {};
    return c.render({
      view: 'objection-notice',
      title: `${Object.keys(errors).length ? '错误：' : ''}销号公示异议：${n.title}`,
      description: `“${n.title}”验收销号公示期间的异议及其处理情况。`,
      status,
      notice: n,
      today: todayInChina(now()),
      objections: list.map((o) => ({ trackingCode: o.trackingCode, createdAt: o.createdAt, disposition: o.disposition, disposed: !!o.disposition })),
      ...(receipt && list.some((o) => o.trackingCode === receipt) ? { receipt } : {}),
      values,
      errors,
      formKey: formKeyOf(values.formKey) ?? randomToken(),
    });
  }

  const missing = (c: Context) =>
    c.render({ view: 'message', section: 'complaints', title: '没有进行中的销号公示', status: 404, heading: '没有进行中的销号公示', paragraphs: ['该问题没有公开的销号公示期。'] });

  app.get('/:itemId/', async (c) => {
    const n = notice(c.req.param('itemId'));
    return n ? show(c, n, undefined) : missing(c);
  });

  const tooLarge = (c: Context) =>
    c.render({ view: 'message', section: 'complaints', title: '提交内容过大', status: 413, heading: '提交内容过大', paragraphs: ['异议内容不能超过 2000 字。请返回后修改再提交。'] });

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
export function dispositionForms(deps: ComplaintDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<StaffEnv>();

  const list = async (c: Context<StaffEnv>, error?: string, shown?: { id: string; contact: ObjectionContact | null }) => {
    const rows = await db.select().from(objections).orderBy(desc(objections.createdAt)).limit(500);
    return c.render({
      view: 'staff-objections',
      title: '销号异议（工作人员）',
      status: error ? 422 : 200,
      staff: staffFrame(c),
      reference,
      objections: rows.map((o) => ({ id: o.id, trackingCode: o.trackingCode, itemId: o.itemId, createdAt: o.createdAt, text: o.text, disposition: o.disposition, hasContact: !!o.contactCiphertext })),
      ...(error ? { error } : {}),
      ...(shown ? { shown } : {}),
    });
  };

  app.get('/', (c) => list(c));
  // Contact details of an objector: admins only, on an explicit request, audited before they are shown.
  app.post('/:id/contact', async (c) => {
    const user = c.get('user');
    if (user.role !== 'admin') return staffMessage(c, 403, '无权操作', ['只有管理员可以查看异议人联系方式。']);
    const row = await db.query.objections.findFirst({ where: eq(objections.id, c.req.param('id').slice(0, 64)) });
    if (!row) return staffMessage(c, 404, '未找到该异议', [], [{ href: '/staff/objections/', label: '返回' }]);
    if (!row.contactCiphertext) return list(c, undefined, { id: row.id, contact: null });
    await db.insert(auditLog).values({ at: now().toISOString(), actor: user.id, action: 'view_objection_contact', target: row.id });
    return list(c, undefined, { id: row.id, contact: await decryptJson<ObjectionContact>(deps.contactKey, row.contactCiphertext, row.id) });
  });
  app.post('/:id', async (c) => {
    const user = c.get('user');
    if (user.role !== 'admin') return staffMessage(c, 403, '无权操作', ['只有管理员可以公开异议处理结果。']);
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
