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
import { HandlingError } from '../../src/domain/complaint-handling.ts';
import { todayInChina } from '../../src/domain/dates.ts';
import { PHOTO_LIMITS } from '../../src/domain/photos.ts';
import { FORM_ERROR } from '../../src/domain/field-errors.ts';
import type { FormValues } from '../../src/views/pages.ts';
import { randomToken } from '../crypto.ts';
import { disputeByReporter, findByCode, findPublished, listPublished, publicView, stopReporterMail } from '../complaint-service.ts';
import { formKeyOf, intakeInJson, limitClient, type ComplaintDeps } from '../complaints.ts';
import { intake } from '../intake.ts';
import { apiError } from '../errors.ts';
import { publishedFilters, PUBLISHED_PAGE_SIZE } from './published.ts';
import { itemComplaintCounts, itemRecords, linkedItemIds } from '../complaint-items.ts';
import { itemRebounds } from '../rebound.ts';
import { pageKeyOf, pagerOf, PAGING_PARAMS } from './paging.ts';

export type PageDeps = ComplaintDeps;

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
    c.render({
      view: 'message',
      section: 'complaints',
      title,
      status,
      heading: title,
      paragraphs: [message],
      links: [
        { href: '/complaints/new/', label: '返回投诉举报' },
        { href: '/complaints/track/', label: '查询办理进展' },
      ],
    });

  const showForm = (c: Context, values: FormValues, errors: Record<string, string>, status: 200 | 422 | 429 = 200) =>
    c.render({
      view: 'complaint-form',
      title: Object.keys(errors).length ? '错误：投诉举报' : '投诉举报',
      description: '在线举报污染和生态破坏问题：可实名或匿名，提交后立即得到受理编号和查询码。',
      status,
      values,
      errors,
      reference,
      today: todayInChina(now()),
      formKey: formKeyOf(values.formKey) ?? randomToken(),
      photos: !!deps.photos,
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

  app.get('/track/', async (c) => {
    const input = c.req.query('code');
    if (input === undefined) {
      return c.render({ view: 'tracking-lookup', title: '查询办理进展', code: '' });
    }
    const code = normaliseTrackingCode(input.slice(0, 40));
    if (code) return c.redirect(`/complaints/track/${code}/`, 303);
    const error = input.trim() ? '查询码应为 13 位字母和数字，请核对后重试' : '请输入查询码';
    return c.render({ view: 'tracking-lookup', title: '错误：查询办理进展', status: 422, code: input.slice(0, 40), error });
  });

  /** Spends one of the client's `action` budget; when it is spent, the 429 page to answer with. */
  const overBudget = async (c: Context, action: 'lookup' | 'dispute', title: string) => {
    const { retryAfter } = await limitClient(deps, c, action);
    if (retryAfter === undefined) return undefined;
    c.header('Retry-After', String(retryAfter));
    return messagePage(c, 429, title, `请在 ${Math.ceil(retryAfter / 60)} 分钟后再试。`);
  };

  const notFoundCode = (c: Context, input: string) =>
    c.render({ view: 'tracking-lookup', title: '未找到该查询码', status: 404, code: input.slice(0, 40), notFound: true });

  app.get('/track/:code/', async (c) => {
    const refused = await overBudget(c, 'lookup', '查询过于频繁');
    if (refused) return refused;
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return notFoundCode(c, c.req.param('code'));
    if (row.trackingCode !== c.req.param('code')) return c.redirect(`/complaints/track/${row.trackingCode}/`, 301);
    const view = await publicView(db, row, now());
    const fresh = c.req.query('new') === '1';
    // The address holds the reporter's secret: it must not stay in a shared cache (nor leave in a
    // Referer: see the /complaints/track/* header in app.ts).
    c.header('Cache-Control', 'private, no-store');
    return c.render({ view: 'tracking', title: fresh ? '举报已提交' : `受理编号 ${view.reference}`, complaint: view, reference, fresh, mailStopped: c.req.query('mail') === 'stopped' });
  });

  app.post('/track/:code/dispute', bodyLimit({ maxSize: 16 * 1024, onError: (c) => messagePage(c, 413, '提交内容过大', '异议说明不能超过 2000 字。') }), async (c) => {
    const refused = await overBudget(c, 'dispute', '提交过于频繁');
    if (refused) return refused;
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
      return c.render({ view: 'dispute', title: '错误：对办理结果有异议', status: 422, trackingCode: row.trackingCode, note: note.slice(0, 2000), error: error.message });
    }
    return c.redirect(`/complaints/track/${row.trackingCode}/`, 303);
  });

  // Stops the progress mails (the tracking page's button; the code in the address is the authority).
  app.post('/track/:code/mail-stop', bodyLimit({ maxSize: 1024, onError: (c) => messagePage(c, 413, '提交内容过大', '请返回后重试。') }), async (c) => {
    const refused = await overBudget(c, 'lookup', '操作过于频繁');
    if (refused) return refused;
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return notFoundCode(c, c.req.param('code'));
    await stopReporterMail(db, row);
    return c.redirect(`/complaints/track/${row.trackingCode}/?mail=stopped`, 303);
  });

  // The public record of one published complaint, by its reference number. An unpublished or unknown
  // number gets the same 404: the page says nothing about complaints that are not public.
  app.get('/:ref{[0-9]{4}-[0-9]{6,9}}/', async (c) => {
    const row = await findPublished(db, c.req.param('ref'));
    if (!row) return messagePage(c, 404, '没有公开的办理结果', '没有找到该受理编号的公开办理结果：编号有误，或该举报的办理结果尚未公开（只公开投诉人同意公开的办理结果）。');
    const r = { ...row, reference: row.reference ?? '' };
    const items = await itemRecords(db.$client, await linkedItemIds(db, r.id));
    return c.render({ view: 'published-record', title: `投诉办理结果 ${r.reference}`, description: `受理编号 ${r.reference} 的投诉举报办理结果。`, record: r, reference, items });
  });

  app.get('/', async (c) => {
    const asked = publishedFilters(c, reference);
    const paging = pageKeyOf(c);
    const error = asked.error ?? paging.error;
    const result = await listPublished(db, asked.filters, paging.key, PUBLISHED_PAGE_SIZE);
    const query = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => !PAGING_PARAMS.includes(k) && v) as [string, string][]);
    const itemId = asked.filters.item;
    const [item, counts, rebounds] = itemId ? await Promise.all([itemRecords(db.$client, [itemId]).then((r) => r[0]), itemComplaintCounts(db, itemId), itemRebounds(db, itemId)]) : [];
    // Public data, the same for everyone, and fetched by every item page's live section: a minute
    // in browsers and shared caches (a reverse proxy's cache, a CDN) spares the database repeats.
    c.header('Cache-Control', 'public, max-age=60');
    return c.render({
      view: 'published-list', item, itemSection: counts && { counts, rebounds }, title: '投诉举报办理情况', description: '群众举报的办结情况，按“边督边改”公开表的格式公开。', status: error ? 400 : 200, reference,
      rows: result.rows, total: result.total, capped: result.capped, pager: pagerOf('/complaints/', query, paging.page, result, PUBLISHED_PAGE_SIZE), query, ...(error ? { error } : {}),
    });
  });

  return app;
}
