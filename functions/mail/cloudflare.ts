/**
 * Cloudflare Email Service on Workers: the `send_email` binding (wrangler.toml `[[send_email]]`),
 * `env.EMAIL.send({ from, to, subject, text, headers })`. It refuses headers outside its allowlist
 * and `X-…` ones; the outbox's automatic headers (Auto-Submitted, X-Auto-Response-Suppress,
 * Content-Language) are on it.
 */
import type { MailTransport } from './sender.ts';

/** The part of the binding the sender uses. */
export interface SendEmailBinding {
  send(message: { from: string; to: string; subject: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
}

export function emailBindingTransport(binding: SendEmailBinding): MailTransport {
  return {
    async send(mail) {
      await binding.send({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, headers: mail.headers });
    },
  };
}
