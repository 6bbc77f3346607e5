/**
 * Mail in Node: SMTP from SMTP_URL and MAIL_FROM, and the sender the server runs on a timer.
 * Without SMTP_URL nothing is sent: mail stays in the outbox, where admins see it (/staff/outbox/).
 */
import type { Database } from '../db.ts';
import type { QueuedMail } from './digests.ts';
import { sendDue, type MailTransport } from './sender.ts';
import { smtpTransport } from './smtp.ts';

export interface NodeMailer {
  transport: MailTransport & { close(): void };
  from: string;
  /** How mail leaves, for admins: the SMTP host, never its credentials. */
  delivery: string;
}

/** The SMTP sender the environment configures, or undefined without SMTP_URL. A half-done setting stops the server. */
export function mailerFromEnv(env: Record<string, string | undefined> = process.env): NodeMailer | undefined {
  const url = env.SMTP_URL?.trim();
  if (!url) return undefined;
  const from = env.MAIL_FROM?.trim();
  if (!from || !/@[^@\s>]+\.[^@\s>]+>?$/.test(from)) {
    throw new Error('设置 SMTP_URL 时须同时设置 MAIL_FROM（发件地址，如 "督察整改公开平台 <noreply@example.org>"）');
  }
  const transport = smtpTransport(url);
  return { transport, from, delivery: `SMTP（${new URL(url).host}）` };
}

/** How often the server looks for due mail (MAIL_SEND_INTERVAL_SECONDS, default 30). */
export function sendInterval(env: Record<string, string | undefined> = process.env): number {
  const raw = env.MAIL_SEND_INTERVAL_SECONDS;
  if (raw === undefined || raw === '') return 30_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) throw new Error(`MAIL_SEND_INTERVAL_SECONDS 应为 1 至 86400 之间的秒数，而不是 ${JSON.stringify(raw)}`);
  return seconds * 1000;
}

/**
 * Runs the sender (after queueing due digests and deadline reminders, when given) every `intervalMs` (and once at once) until stopped. The timer is unref'd: it
 * never keeps the process alive. One run at a time; a run's failure (the database busy, say) is
 * logged by kind only and the next run tries again.
 */
export function startSender(db: Database, key: CryptoKey, mailer: NodeMailer, intervalMs: number, queue?: (now: Date) => Promise<QueuedMail>): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      // Due subscription digests and deadline reminders go into the outbox first, so that this run sends them.
      if (queue) {
        const queued = await queue(new Date());
        if (queued.digests) console.log(`订阅摘要：已排队 ${queued.digests} 封。`);
        if (queued.reminders) console.log(`办理期限提醒：已排队 ${queued.reminders} 条。`);
      }
      const report = await sendDue(db, key, mailer.transport, { from: mailer.from });
      if (report.sent || report.retrying || report.gaveUp) console.log(`发信：已发送 ${report.sent} 封，待重试 ${report.retrying} 封，放弃 ${report.gaveUp} 封。`);
    } catch (error) {
      console.error(`发信未完成：${(error as Error).name}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  const first = setTimeout(() => void run(), 0);
  first.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(first);
  };
}
