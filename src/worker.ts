/**
 * The Worker's entry (wrangler.toml `main`): Astro's request handler, exactly as the Cloudflare
 * adapter's default entry exports it, except for the JSON API and Open311, which go straight to the
 * portal's Hono app (they need nothing of Astro; its pipeline would cost every call CPU time, which
 * Workers meter); plus the Cron Trigger (`[triggers] crons`) that sends the outbox's due mail
 * (subscription digests and staff's deadline reminders queued first) through Cloudflare Email Service
 * (functions/runtime/worker.ts sendDueMail).
 * Only the Worker build uses this file; Node runs functions/node.ts.
 */
import { handle } from '@astrojs/cloudflare/handler';
import { isApiPath } from '../functions/app.ts';
import { portalRuntime, sendDueMail } from '../functions/runtime/worker.ts';
import { securityHeaders, withHeaders } from '../functions/security-headers.ts';

interface ScheduledContext {
  waitUntil(promise: Promise<unknown>): void;
}

const headers = securityHeaders(true);

export default {
  async fetch(request: Request, env: unknown, ctx: ScheduledContext) {
    if (!isApiPath(new URL(request.url).pathname)) return handle(request, env as Parameters<typeof handle>[1], ctx as Parameters<typeof handle>[2]);
    const { app } = await portalRuntime();
    // The client's address as Cloudflare gives it (what Astro's clientAddress reads on Workers).
    return withHeaders(await app.fetch(request, { peer: request.headers.get('CF-Connecting-IP') ?? '' }), headers);
  },
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
