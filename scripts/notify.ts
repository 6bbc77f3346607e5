/**
 * Sends the mail that is due now, by hand (the Node server also does it every 30 seconds):
 *
 *   npm run notify                   queues due subscription digests and staff's deadline reminders,
 *                                    then sends due outbox rows
 *                                    through SMTP_URL as MAIL_FROM
 *   npm run notify -- --retry-failed first puts mail that was given up back in the queue
 *
 * Opens DATABASE_URL like the server (the embedded file by default, Turso with
 * DATABASE_AUTH_TOKEN) and decrypts recipients with CONTACT_ENCRYPTION_KEY or .data/secrets.json.
 * Without SMTP_URL it only says what is waiting. Exit 1 if a mail failed this time.
 */
import { parseArgs } from 'node:util';
import { localSecrets, openLocalDatabase, protectLocalData } from '../functions/local.ts';
import { mailerFromEnv } from '../functions/mail/node.ts';
import { listOutbox } from '../functions/mail/outbox.ts';
import { retryFailed, sendDue } from '../functions/mail/sender.ts';
import { queueJob } from '../functions/mail/digests.ts';
import { siteUrl } from '../functions/runtime/node.ts';
import { loadContent } from '../src/content/load.ts';
import { itemTitle } from '../src/content/portal.ts';
import { referenceFrom } from '../src/site/reference.ts';
import { servedUrl } from '../src/site/site-url.ts';

// The database holds every complaint: files this command makes are for its user only.
process.umask(0o077);

const { values } = parseArgs({ options: { 'retry-failed': { type: 'boolean', default: false } } });
const mailer = mailerFromEnv();
const db = await openLocalDatabase();
protectLocalData();
try {
  const { contactKey, clientSalt } = await localSecrets();
  if (values['retry-failed']) console.log(`已将 ${await retryFailed(db)} 封发送失败的邮件重新放入队列。`);
  if (!mailer) {
    const { counts } = await listOutbox(db, contactKey, 'all', 0);
    console.log(`未设置 SMTP_URL（及 MAIL_FROM），不发送邮件。队列中待发送 ${counts.pending} 封，发送失败 ${counts.failed} 封，已发送 ${counts.sent} 封。`);
  } else {
    // Digests and reminders are made here too, so that cron can run this while the server is stopped.
    const reference = referenceFrom(loadContent().content, itemTitle);
    const queued = await queueJob({ db, contactKey, clientSalt, reference, mail: { siteUrl: siteUrl() ?? servedUrl(process.env) } })(new Date());
    console.log(`订阅摘要：已排队 ${queued.digests} 封，${queued.unchanged} 个订阅没有新动态。`);
    console.log(`办理期限提醒：已排队 ${queued.reminders} 条。`);
    let total = { sent: 0, retrying: 0, gaveUp: 0 };
    // Batches until nothing due is left (a failed row is due again only later, so this ends).
    for (;;) {
      const report = await sendDue(db, contactKey, mailer.transport, { from: mailer.from, limit: 100 });
      total = { sent: total.sent + report.sent, retrying: total.retrying + report.retrying, gaveUp: total.gaveUp + report.gaveUp };
      if (report.sent + report.retrying + report.gaveUp === 0) break;
    }
    console.log(`经 ${mailer.delivery} 发信：已发送 ${total.sent} 封，失败待重试 ${total.retrying} 封，放弃 ${total.gaveUp} 封。`);
    if (total.retrying || total.gaveUp) process.exitCode = 1;
  }
} finally {
  mailer?.transport.close();
  db.$client.close();
}
