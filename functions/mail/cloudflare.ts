/**
 * Cloudflare Email Service on Workers: the `send_email` binding (wrangler.toml `[[send_email]]`),
 * `env.EMAIL.send({ from, to, subject, text, headers })`.
 *
 * The service takes only allowlisted headers and `X-…` ones, and refuses the whole mail
 * (E_HEADER_NOT_ALLOWED, E_HEADER_VALUE_INVALID) otherwise: see
 * https://developers.cloudflare.com/email-service/reference/headers/. Our mails' headers are all on
 * it (Auto-Submitted, Content-Language, List-Unsubscribe, List-Unsubscribe-Post, X-Auto-Response-
 * Suppress); `cloudflareHeaders` keeps to it so that a header added later, or an unsubscribe link
 * on a site not served over HTTPS (the service rejects http: URIs), costs that header, not the mail.
 */
import type { MailTransport } from './sender.ts';

/** The part of the binding the sender uses. */
export interface SendEmailBinding {
  send(message: { from: string; to: string; subject: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
}

/** Allowlisted headers this portal may set, with the values the service accepts (lower-case names). */
const ALLOWED: Record<string, (value: string) => boolean> = {
  'auto-submitted': (v) => ['auto-generated', 'auto-replied', 'auto-notified'].includes(v),
  'content-language': (v) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v),
  'list-unsubscribe': (v) => /^<(https:|mailto:)[^<>\s]+>(\s*,\s*<(https:|mailto:)[^<>\s]+>)*$/.test(v),
  'list-unsubscribe-post': (v) => v === 'List-Unsubscribe=One-Click',
};
const X_HEADER = /^X-[A-Za-z0-9\-_]{1,98}$/i;
const MAX_VALUE_BYTES = 2048;

/** The headers the service will take; the others are dropped, each named in `dropped`. */
export function cloudflareHeaders(headers: Readonly<Record<string, string>>): { headers: Record<string, string>; dropped: string[] } {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const rule = ALLOWED[name.toLowerCase()];
    const valid = value !== '' && !/[\r\n]/.test(value) && new TextEncoder().encode(value).length <= MAX_VALUE_BYTES && (rule ? rule(value) : X_HEADER.test(name));
    if (valid) kept[name] = value;
    else dropped.push(name);
  }
  // One-click unsubscribe needs an HTTPS List-Unsubscribe beside it.
  const post = Object.keys(kept).find((n) => n.toLowerCase() === 'list-unsubscribe-post');
  if (post && !Object.keys(kept).some((n) => n.toLowerCase() === 'list-unsubscribe' && kept[n]!.includes('<https:'))) {
    delete kept[post];
    dropped.push(post);
  }
  return { headers: kept, dropped };
}

export function emailBindingTransport(binding: SendEmailBinding): MailTransport {
  return {
    async send(mail) {
      const { headers, dropped } = cloudflareHeaders(mail.headers ?? {});
      if (dropped.length) console.warn(`邮件头不符合 Cloudflare Email Service 的要求，已略去：${dropped.join('、')}（退订链接须为 https:// 地址，即 SITE_URL 须为 HTTPS）。`);
      await binding.send({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, headers });
    },
  };
}
