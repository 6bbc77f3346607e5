/**
 * SMTP through nodemailer, for the Node server and `npm run notify` (never bundled into the
 * Worker, which sends through Cloudflare's binding: functions/mail/cloudflare.ts).
 *
 * SMTP_URL is nodemailer's connection URL: `smtp://user:pass@host:587` (STARTTLS when the server
 * offers it), `smtps://user:pass@host:465` (TLS from the start); query options such as
 * `?requireTLS=true` are nodemailer's.
 */
import { createTransport } from 'nodemailer';
import type { MailTransport } from './sender.ts';

export function smtpTransport(url: string): MailTransport & { close(): void } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP_URL 不是有效的网址（应如 smtp://user:pass@mail.example.org:587）');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error('SMTP_URL 应以 smtp:// 或 smtps:// 开头');
  // A server that does not answer must fail the attempt (to be retried), not hang the sender.
  const transporter = createTransport({ url, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as Parameters<typeof createTransport>[0]);
  return {
    async send(mail) {
      await transporter.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, headers: mail.headers });
    },
    close: () => transporter.close(),
  };
}
