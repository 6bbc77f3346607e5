/**
 * Following a page by e-mail, without JavaScript (functions/subscription-service.ts):
 *
 * GET  /follow/?target=item:<id>   the form (address, daily or weekly)
 * POST /follow/                    303 to /follow/sent/; 422 with the form again; 429 with Retry-After
 * GET  /follow/sent/               "check your mail": the same words whatever the address
 * GET  /follow/confirm/?token=…    a button that confirms (a mail scanner that opens links confirms nothing)
 * POST /follow/confirm/            confirms, once
 * GET  /follow/unsubscribe/?token=…  a button that unsubscribes
 * POST /follow/unsubscribe/?token=…  unsubscribes at once: RFC 8058's one-click POST from a mail
 *                                    program (body `List-Unsubscribe=One-Click`), no cookie, no CSRF
 *                                    token — the signed token is the only credential
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { subscriptions } from '../../db/schema.ts';
import { FORM_ERROR } from '../../src/domain/field-errors.ts';
import { FREQUENCY_LABELS, type Frequency } from '../../src/domain/subscription-mail.ts';
import type { FieldErrors } from '../../src/views/pages.ts';
import { sha256Hex } from '../crypto.ts';
import type { ComplaintDeps } from '../complaints.ts';
import { confirmSubscription, findTarget, unsubscribe, type Target } from '../subscription-service.ts';
import { SUBSCRIPTION_ACCEPTED, subscribeRequest } from '../subscriptions.ts';

const FORM_BYTES = 8 * 1024;

export function followPages(deps: ComplaintDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  const message = (c: Context, status: 200 | 404 | 413 | 503, heading: string, paragraphs: string[], links: { href: string; label: string }[] = []) =>
    c.render({ view: 'message', section: 'follow', title: heading, status, heading, paragraphs, links: [...links, { href: '/', label: '返回首页' }] });

  const form = (c: Context, target: Target, values: Record<string, string>, errors: FieldErrors, status: 200 | 422 | 429 = 200) =>
    c.render({
      view: 'follow-form',
      title: `${Object.keys(errors).length ? '错误：' : ''}订阅${target.name}的整改动态`,
      description: `用电子邮件订阅“${target.name}”的整改动态：状态变化、方案修改、到期未公开完成、验收销号公示、典型案例与上报情况。`,
      status,
      target: { key: target.key, kindLabel: target.kindLabel, name: target.name, path: target.path },
      values,
      errors,
    });

  const noTarget = (c: Context) =>
    message(c, 404, '没有这个可订阅的页面', ['每个整改任务、整改方案、责任单位和地区页面的页脚都有“订阅本页动态（电子邮件）”链接，请从那里进入。']);

  const unavailable = (c: Context) => message(c, 503, '邮件订阅暂不可用', ['本站尚未配置网站地址（SITE_URL），无法在邮件中给出链接。可以订阅各页面的 Atom 动态。']);

  app.get('/', (c) => {
    const target = findTarget(reference, c.req.query('target') ?? '');
    if (!target) return noTarget(c);
    if (!deps.mail) return unavailable(c);
    return form(c, target, { frequency: 'weekly' }, {});
  });

  const tooLarge = (c: Context) => message(c, 413, '提交内容过大', ['请返回后重新填写。']);

  app.post('/', bodyLimit({ maxSize: FORM_BYTES, onError: tooLarge }), async (c) => {
    let body: Record<string, unknown>;
    try {
      // Every value of a repeated field: a field sent twice is refused, not read as its last value.
      body = await c.req.parseBody({ all: true });
    } catch {
      body = {};
    }
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const target = findTarget(reference, typeof body.target === 'string' ? body.target : '');
    if (!target) return noTarget(c);
    if (!deps.mail) return unavailable(c);
    const shown = { email: values.email ?? '', frequency: values.frequency ?? '' };
    // The honeypot: a robot that filled it is told what everybody is told, and nothing is sent.
    if (body.website) return c.redirect(`/follow/sent/?target=${encodeURIComponent(target.key)}`, 303);
    const field = (name: string) => (typeof body[name] === 'string' ? body[name] || undefined : body[name] === undefined ? undefined : null);
    const outcome = await subscribeRequest(deps, c, { email: field('email') ?? '', target: target.key, frequency: field('frequency') });
    if ('rateLimited' in outcome) {
      c.header('Retry-After', String(outcome.rateLimited));
      return form(c, target, shown, { [FORM_ERROR]: `提交过于频繁，请在 ${Math.ceil(outcome.rateLimited / 60)} 分钟后再试。` }, 429);
    }
    if ('invalid' in outcome) return form(c, target, shown, outcome.invalid, 422);
    return c.redirect(`/follow/sent/?target=${encodeURIComponent(target.key)}`, 303);
  });

  app.get('/sent/', (c) => {
    const target = findTarget(reference, c.req.query('target') ?? '');
    return message(c, 200, '请查收确认邮件', [SUBSCRIPTION_ACCEPTED.message, '如果没有收到，请查看垃圾邮件文件夹，或在 10 分钟后重新订阅。'], target ? [{ href: target.path, label: `返回${target.name}` }] : []);
  });

  const tokenOf = async (c: Context) => {
    const fromQuery = c.req.query('token');
    if (fromQuery) return fromQuery;
    try {
      const body = await c.req.parseBody();
      return typeof body.token === 'string' ? body.token : '';
    } catch {
      return '';
    }
  };

  const badConfirm = (c: Context) =>
    message(c, 404, '确认链接无效或已过期', [`确认链接只能使用一次，并在发出 48 小时后失效。如仍想订阅，请重新提交订阅。`]);

  app.get('/confirm/', async (c) => {
    const token = c.req.query('token') ?? '';
    const row = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await db.query.subscriptions.findFirst({ where: and(eq(subscriptions.tokenHash, await sha256Hex(token)), gt(subscriptions.tokenExpiresAt, now().toISOString()), isNull(subscriptions.confirmedAt)) })
      : undefined;
    const target = row && findTarget(reference, row.target);
    if (!row || !target) return badConfirm(c);
    return c.render({
      view: 'follow-token',
      title: '确认订阅',
      heading: '确认订阅',
      paragraphs: [`订阅${target.kindLabel}“${target.name}”的整改动态，${FREQUENCY_LABELS[row.frequency as Frequency] ?? ''}汇总发送到您的邮箱。有新动态时才发送。`],
      action: '/follow/confirm/',
      fields: { token },
      button: '确认订阅',
    });
  });

  app.post('/confirm/', bodyLimit({ maxSize: FORM_BYTES, onError: tooLarge }), async (c) => {
    const target = await confirmSubscription(db, reference, await tokenOf(c), now());
    if (!target) return badConfirm(c);
    return message(c, 200, '订阅已确认', [`此后“${target.name}”有新动态时，我们会按您选择的频率汇总发送邮件；没有新动态时不发送。每封邮件都附有一键退订链接。`], [{ href: target.path, label: `返回${target.name}` }]);
  });

  const badUnsubscribe = (c: Context) => message(c, 404, '退订链接无效', ['请使用邮件中的退订链接（完整复制，不要截断）。']);

  app.get('/unsubscribe/', (c) => {
    const token = c.req.query('token') ?? '';
    if (!/^[0-9a-f-]{36}\.[0-9a-f]{64}$/.test(token)) return badUnsubscribe(c);
    return c.render({
      view: 'follow-token',
      title: '退订',
      heading: '退订整改动态邮件',
      paragraphs: ['退订后不再收到该页面的动态邮件，您的邮箱地址随即从本站删除。'],
      // The address of the List-Unsubscribe header: the form posts exactly what a mail program would.
      action: `/follow/unsubscribe/?token=${encodeURIComponent(token)}`,
      fields: { 'List-Unsubscribe': 'One-Click' },
      button: '退订',
    });
  });

  app.post('/unsubscribe/', bodyLimit({ maxSize: FORM_BYTES, onError: tooLarge }), async (c) => {
    if (!(await unsubscribe(db, deps.clientSalt, await tokenOf(c)))) return badUnsubscribe(c);
    return message(c, 200, '已退订', ['您不会再收到该页面的动态邮件，您的邮箱地址已从本站删除。如需再次订阅，请回到页面重新订阅。']);
  });

  return app;
}
