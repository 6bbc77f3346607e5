/**
 * Reports of an error in the published data, and the public corrections log.
 *
 * POST /api/error-reports         JSON { page, description, evidence?, contact? } → 201 { reference, state, stateLabel, page }
 * GET  /corrections/              the public log: every decided report with staff's resolution
 * GET  /corrections/report/?page= the form (no JavaScript needed); ?receipt= shows the receipt
 * POST /corrections/report/       form → 303 to the receipt; 422 with the form again
 * Staff (mounted under /staff/error-reports/): the reports, and the decision on each (admins).
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ERROR_REPORT_STATES, errorReportDecision, errorReportInput, reportablePage, type ErrorReportState } from '../../src/domain/error-reports.ts';
import { FORM_ERROR, fieldErrors } from '../../src/domain/field-errors.ts';
import { randomToken } from '../crypto.ts';
import { formKeyOf, limitClient, type ComplaintDeps } from '../complaints.ts';
import { apiError, jsonBody } from '../errors.ts';
import { decideErrorReport, errorReportsForStaff, fileErrorReport, openErrorReports, publicCorrections } from '../error-reports.ts';
import { idempotencyKeyFor } from '../intake.ts';
import { staffFrame, staffMessage, type StaffEnv } from './staff-frame.ts';

const MAX_BODY = 16 * 1024;
const now = (deps: ComplaintDeps) => (deps.now ?? (() => new Date()))();

/** The JSON API: `POST /api/error-reports`. */
export function errorReportApi(deps: ComplaintDeps) {
  const app = new Hono();
  app.post('/', bodyLimit({ maxSize: MAX_BODY, onError: (c) => apiError(c, 413, 'payload_too_large', `提交内容过大（上限 ${MAX_BODY / 1024} KB）。`) }), async (c) => {
    const { client, retryAfter } = await limitClient(deps, c, 'errorReport');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${retryAfter} 秒后再试。`);
    }
    const read = await jsonBody(c);
    if ('refused' in read) return read.refused;
    const parsed = errorReportInput.safeParse(read.body);
    if (!parsed.success) return apiError(c, 422, 'invalid_error_report', '报告内容有误。', fieldErrors(parsed.error));
    const key = c.req.header('Idempotency-Key');
    const idempotencyKey = await idempotencyKeyFor(client, key && /^[A-Za-z0-9_-]{16,100}$/.test(key) ? `error-report:${key}` : undefined, parsed.data);
    const filed = await fileErrorReport(deps.db, deps.contactKey, parsed.data, { idempotencyKey, clientHash: client, at: now(deps) });
    return c.json({ reference: filed.reference, state: 'received', stateLabel: ERROR_REPORT_STATES.received, page: parsed.data.page }, filed.replay ? 200 : 201);
  });
  app.all('/', (c) => apiError(c, 405, 'method_not_allowed', '只接受 POST。'));
  return app;
}

/** The public pages under /corrections/. */
export function correctionPages(deps: ComplaintDeps) {
  const app = new Hono();

  app.get('/', async (c) => {
    const [entries, waiting] = await Promise.all([publicCorrections(deps.db), openErrorReports(deps.db)]);
    return c.render({
      view: 'corrections-log',
      title: '数据更正记录',
      description: '读者报告的数据错误及其核实结果：更正了什么、何时更正、依据哪份来源文件。',
      entries: entries.map((e) => ({ ...e, state: e.state as ErrorReportState })),
      waiting,
    });
  });

  const form = (c: Context, values: Record<string, string>, errors: Record<string, string>, status: 200 | 422 | 429 = 200, receipt?: string) =>
    c.render({
      view: 'error-report-form',
      title: `${Object.keys(errors).length ? '错误：' : ''}报告数据错误`,
      description: '报告本站整改任务、典型案例、上报情况或来源文件页面上的数据错误。',
      status,
      values,
      errors,
      formKey: formKeyOf(values.formKey) ?? randomToken(),
      ...(receipt ? { receipt } : {}),
    });

  app.get('/report/', (c) => {
    const page = c.req.query('page') ?? '';
    const receipt = /^E\d{4}-\d{6}$/.test(c.req.query('receipt') ?? '') ? c.req.query('receipt') : undefined;
    return form(c, { page: reportablePage(page) ? page : '' }, {}, 200, receipt);
  });

  app.post('/report/', bodyLimit({ maxSize: MAX_BODY, onError: (c) => form(c, {}, { description: '提交内容过大，请缩短后再提交' }, 422) }), async (c) => {
    let values: Record<string, string> = {};
    try {
      const body = await c.req.parseBody();
      values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string').map(([k, v]) => [k, v.slice(0, 4000)]));
    } catch {
      return form(c, {}, { [FORM_ERROR]: '表单内容无法解析，请重新提交' }, 422);
    }
    if (values.website) return form(c, values, { [FORM_ERROR]: '提交被拒绝' }, 422);
    const { client, retryAfter } = await limitClient(deps, c, 'errorReport');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return form(c, values, { [FORM_ERROR]: `提交过于频繁，请在 ${Math.ceil(retryAfter / 60)} 分钟后再试。您填写的内容已保留。` }, 429);
    }
    const input = {
      page: values.page ?? '',
      description: values.description ?? '',
      ...(values.evidence?.trim() ? { evidence: values.evidence } : {}),
      ...(values.name?.trim() || values.email?.trim() ? { contact: { ...(values.name?.trim() ? { name: values.name } : {}), ...(values.email?.trim() ? { email: values.email.trim() } : {}) } } : {}),
    };
    const parsed = errorReportInput.safeParse(input);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      // The contact's fields are shown flat in the form.
      for (const k of ['contact.name', 'contact.email']) if (errors[k]) errors[k.slice(8)] = errors[k]!;
      return form(c, values, errors, 422);
    }
    const formKey = formKeyOf(values.formKey);
    const idempotencyKey = await idempotencyKeyFor(client, formKey && `error-report-form:${formKey}`, parsed.data);
    const filed = await fileErrorReport(deps.db, deps.contactKey, parsed.data, { idempotencyKey, clientHash: client, at: now(deps) });
    return c.redirect(`/corrections/report/?receipt=${filed.reference}&page=${encodeURIComponent(parsed.data.page)}`, 303);
  });

  return app;
}

/** Staff: the reports, and an admin's decision on each (mounted under /staff/error-reports/). */
export function errorReportDesk(deps: ComplaintDeps) {
  const app = new Hono<StaffEnv>();
  const list = async (c: Context<StaffEnv>, error?: { id: string; message: string; values: Record<string, string> }) =>
    c.render({ view: 'staff-error-reports', title: '数据错误报告（工作人员）', status: error ? 422 : 200, staff: staffFrame(c), reports: await errorReportsForStaff(deps.db), ...(error ? { error } : {}) });

  app.get('/', (c) => list(c));
  app.post('/:id', async (c) => {
    if (c.get('user').role !== 'admin') return staffMessage(c, 403, '无权操作', ['只有管理员可以核实和更正数据错误报告。']);
    const values = c.get('form');
    const parsed = errorReportDecision.safeParse({ decision: values.decision, resolution: values.resolution ?? '', ...(values.decision === 'corrected' ? { source: values.source ?? '' } : {}) });
    const id = c.req.param('id').slice(0, 64);
    if (!parsed.success) return list(c, { id, message: Object.values(fieldErrors(parsed.error)).join('；'), values });
    const done = await decideErrorReport(deps.db, id, parsed.data, c.get('user').id, now(deps), deps);
    if (!done) return list(c, { id, message: '该报告不存在或已处理。', values });
    return c.redirect('/staff/error-reports/', 303);
  });
  return app;
}
