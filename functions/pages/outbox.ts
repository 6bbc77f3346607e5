/**
 * The outbox for admins (/staff/outbox/): every queued mail with its recipient masked, subject,
 * state and attempts, so that mail that could not be sent — or is not sent at all because no
 * sender is configured — is seen. Bodies are never shown: a reporter's mail carries their
 * tracking link, which staff must not have.
 */
import { Hono, type Context } from 'hono';
import { formatDateTimeZh } from '../../src/domain/dates.ts';
import type { ComplaintDeps } from '../complaints.ts';
import { MAX_ATTEMPTS } from '../mail/sender.ts';
import { listOutbox, OUTBOX_FILTERS, type OutboxFilter, type OutboxState } from '../mail/outbox.ts';
import type { StaffUser } from '../staff.ts';
import { html } from './shell.ts';

const STATE_LABELS: Record<OutboxState, string> = { pending: '待发送', sent: '已发送', failed: '发送失败（已停止重试）' };
const FILTER_LABELS: Record<OutboxFilter, string> = { all: '全部', pending: '待发送', sent: '已发送', failed: '发送失败' };
const KIND_LABELS: Record<string, string> = {
  'complaint:received': '投诉已收到',
  'complaint:accept': '已受理',
  'complaint:reject': '不予受理',
  'complaint:assign': '已转办',
  'complaint:extend': '延长期限',
  'complaint:close-partially': '阶段性办结',
  'complaint:close': '已办结',
  'complaint:mark-duplicate': '合并办理',
  'complaint:reopen': '重新办理',
};

export function outboxPage(deps: ComplaintDeps & {
  page: (c: Context, title: string, body: ReturnType<typeof html>, status?: 200 | 403) => Promise<Response> | Response;
  bar: (c: Context) => ReturnType<typeof html>;
}) {
  const app = new Hono<{ Variables: { user: StaffUser; csrfToken: string; form: Record<string, string> } }>();
  app.get('/', async (c) => {
    if (c.get('user').role !== 'admin') return deps.page(c, '无权访问', html`${deps.bar(c)}<h1>无权访问</h1><p>只有管理员可以查看发信队列。</p>`, 403);
    const asked = c.req.query('state');
    const filter: OutboxFilter = OUTBOX_FILTERS.find((f) => f === asked) ?? 'all';
    const { entries, counts } = await listOutbox(deps.db, deps.contactKey, filter);
    const delivery = deps.mail?.delivery;
    return deps.page(
      c,
      '发信队列',
      html`${deps.bar(c)}<h1>发信队列</h1>
${delivery
  ? html`<p data-delivery="on">发信方式：${delivery}。到期的邮件自动发送；失败后按 1、2、4……分钟递增间隔重试，共尝试 ${MAX_ATTEMPTS} 次后停止。</p>`
  : html`<div class="notice" data-delivery="off"><p>本站未配置发信（未设置 SMTP_URL 和 MAIL_FROM）：邮件保存在队列中，不会发出。配置后，队列中的邮件将依次发送。</p></div>`}
<p>待发送 <strong data-count="pending">${counts.pending}</strong> 封 · 已发送 <strong data-count="sent">${counts.sent}</strong> 封 · 发送失败 <strong data-count="failed">${counts.failed}</strong> 封</p>
<form method="get" action="/staff/outbox/" class="filters" aria-label="筛选"><div class="form-group"><label for="o-state">状态</label><select id="o-state" name="state">${OUTBOX_FILTERS.map((f) => html`<option value="${f}" ${f === filter ? html`selected` : ''}>${FILTER_LABELS[f]}</option>`)}</select></div><button type="submit" class="button secondary">筛选</button></form>
<p class="muted">收件人只显示部分字符；邮件正文不在此显示（投诉人的邮件含其查询链接）。${entries.length >= 200 ? '只显示最近 200 封。' : ''}</p>
${entries.length
  ? html`<div class="table-scroll"><table class="data" data-outbox>
<caption class="visually-hidden">发信队列</caption>
<thead><tr><th scope="col">生成时间</th><th scope="col">类型</th><th scope="col">投诉</th><th scope="col">收件人</th><th scope="col">主题</th><th scope="col">状态</th><th scope="col">尝试次数</th><th scope="col">最近错误</th></tr></thead>
<tbody>${entries.map(
      (e) => html`<tr data-state="${e.state}"><td>${formatDateTimeZh(e.createdAt)}</td><td>${KIND_LABELS[e.kind] ?? e.kind}</td><td>${e.complaintId && e.reference ? html`<a class="code" href="/staff/complaints/${e.complaintId}/">${e.reference}</a>` : '—'}</td><td data-recipient>${e.recipient}</td><td>${e.subject}</td><td>${STATE_LABELS[e.state]}${e.state === 'sent' && e.sentAt ? html`<br><span class="muted">${formatDateTimeZh(e.sentAt)}</span>` : e.state === 'pending' && e.attempts && e.nextAttemptAt ? html`<br><span class="muted">下次尝试：${formatDateTimeZh(e.nextAttemptAt)}</span>` : ''}</td><td>${e.attempts}</td><td>${e.lastError ?? '—'}</td></tr>`,
    )}</tbody></table></div>`
  : html`<p>队列中没有邮件。</p>`}`,
    );
  });
  return app;
}
