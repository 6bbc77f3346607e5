/**
 * The headers our mails carry, against Cloudflare Email Service's header allowlist
 * (https://developers.cloudflare.com/email-service/reference/headers/): the service refuses a whole
 * mail over one header it does not take, so every header we set must pass, and one that does not is
 * dropped instead of losing the mail.
 */
import { describe, expect, it } from 'vitest';
import { cloudflareHeaders, emailBindingTransport } from '../../functions/mail/cloudflare.ts';
import { AUTOMATIC_MAIL_HEADERS } from '../../src/domain/complaint-mail.ts';
import { unsubscribeHeaders } from '../../src/domain/subscription-mail.ts';

describe('cloudflareHeaders', () => {
  it('keeps every header the portal sets on a site served over HTTPS', () => {
    const ours = { ...AUTOMATIC_MAIL_HEADERS, ...unsubscribeHeaders('https://portal.example.org/follow/unsubscribe/?t=abc') };
    expect(cloudflareHeaders(ours)).toEqual({ headers: ours, dropped: [] });
  });

  it('drops an http: unsubscribe link, and one-click with it (the service rejects both)', () => {
    const { headers, dropped } = cloudflareHeaders({ ...AUTOMATIC_MAIL_HEADERS, ...unsubscribeHeaders('http://127.0.0.1:4321/follow/unsubscribe/?t=abc') });
    expect(headers).toEqual(AUTOMATIC_MAIL_HEADERS);
    expect(dropped).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post']);
  });

  it('drops headers off the allowlist, platform-controlled ones, bad values and line breaks', () => {
    const { headers, dropped } = cloudflareHeaders({
      'Message-ID': '<a@b>',
      Precedence: 'bulk',
      'Auto-Submitted': 'yes',
      'X-Ok_Header': 'fine',
      'X-Injected': 'a\r\nBcc: x@example.org',
      'X-Empty': '',
    });
    expect(headers).toEqual({ 'X-Ok_Header': 'fine' });
    expect(dropped.sort()).toEqual(['Auto-Submitted', 'Message-ID', 'Precedence', 'X-Empty', 'X-Injected']);
  });

  it('is what the binding transport sends', async () => {
    const sent: unknown[] = [];
    const transport = emailBindingTransport({ send: async (m) => void sent.push(m) });
    const warn = console.warn;
    console.warn = () => {};
    try {
      await transport.send({ from: 'a@example.org', to: 'b@example.org', subject: 's', text: 't', headers: { 'Auto-Submitted': 'auto-generated', Date: 'now' } });
    } finally {
      console.warn = warn;
    }
    expect(sent).toEqual([{ from: 'a@example.org', to: 'b@example.org', subject: 's', text: 't', headers: { 'Auto-Submitted': 'auto-generated' } }]);
  });
});
