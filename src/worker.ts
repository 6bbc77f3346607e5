/**
 * The Worker's entry (wrangler.toml `main`): Astro's request handler, exactly as the Cloudflare
 * adapter's default entry exports it, plus the Cron Trigger (`[triggers] crons`) that sends the
 * outbox's due mail (subscription digests and staff's deadline reminders queued first) through Cloudflare Email Service
 * (functions/runtime/worker.ts sendDueMail).
 * Only the Worker build uses this file; Node runs functions/node.ts.
 */
import { handle } from '@astrojs/cloudflare/handler';
import { sendDueMail } from '../functions/runtime/worker.ts';

interface ScheduledContext {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  fetch: handle,
  scheduled(_controller: unknown, _env: unknown, ctx: ScheduledContext) {
    ctx.waitUntil(
      sendDueMail().then(
        (report) => {
          if ('skipped' in report) console.log(`发信：跳过（${report.skipped}）`);
          else {
            if (report.digests) console.log(`订阅摘要：已排队 ${report.digests} 封。`);
            if (report.reminders) console.log(`办理期限提醒：已排队 ${report.reminders} 条。`);
            console.log(`发信：已发送 ${report.sent} 封，待重试 ${report.retrying} 封，放弃 ${report.gaveUp} 封。`);
          }
        },
        // The message may hold an address: the kind of error only.
        (error: unknown) => console.error(`发信未完成：${(error as Error).name}`),
      ),
    );
  },
};
