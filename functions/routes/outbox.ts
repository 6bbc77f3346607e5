/**
 * The outbox for admins (/staff/outbox/): every queued mail with its recipient masked, subject,
 * state and attempts, so that mail that could not be sent — or is not sent at all because no
 * sender is configured — is seen. Bodies are never shown: a reporter's mail carries their
 * tracking link, which staff must not have.
 */
import { Hono } from 'hono';
import type { ComplaintDeps } from '../complaints.ts';
import { MAX_ATTEMPTS } from '../mail/sender.ts';
import { listOutbox, OUTBOX_FILTERS, type OutboxFilter } from '../mail/outbox.ts';
import { staffFrame, staffMessage, type StaffEnv } from './staff-frame.ts';

export function outboxPage(deps: ComplaintDeps) {
  const app = new Hono<StaffEnv>();
  app.get('/', async (c) => {
    if (c.get('user').role !== 'admin') return staffMessage(c, 403, '无权访问', ['只有管理员可以查看发信队列。']);
    const asked = c.req.query('state');
    const filter: OutboxFilter = OUTBOX_FILTERS.find((f) => f === asked) ?? 'all';
    const { entries, counts } = await listOutbox(deps.db, deps.contactKey, filter);
    return c.render({ view: 'staff-outbox', title: '发信队列（工作人员）', staff: staffFrame(c), filter, entries, counts, delivery: deps.mail?.delivery, maxAttempts: MAX_ATTEMPTS });
  });
  return app;
}
