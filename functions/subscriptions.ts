/**
 * POST /api/subscriptions — `{ "email", "target", "frequency" }`: asks for a confirmation mail
 * (functions/subscription-service.ts). Every valid request is answered `202` with the same body,
 * whether the address was new, waiting or already subscribed, so the answer tells nobody who
 * follows what. Refusals are in the API's error format.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { fieldErrors } from '../src/domain/field-errors.ts';
import { limitClient, type ComplaintDeps } from './complaints.ts';
import { apiError, jsonBody } from './errors.ts';
import { requestSubscription, subscriptionInput, type SubscriptionInput } from './subscription-service.ts';

const MAX_JSON_BYTES = 4 * 1024;

/** The one answer to every valid request. */
export const SUBSCRIPTION_ACCEPTED = {
  status: 'pending',
  message: '如果该邮箱尚未订阅此页面，我们已发送一封确认邮件，请在 48 小时内点击邮件中的链接完成订阅。未经确认，该邮箱不会收到其他邮件。',
} as const;

/**
 * Counts the request against the client's subscription budget, checks it and asks for the mail.
 * Shared by the API and the /follow/ form, which differ only in how they answer.
 */
export async function subscribeRequest(
  deps: ComplaintDeps,
  c: Context,
  fields: unknown,
): Promise<{ rateLimited: number } | { invalid: Record<string, string> } | { ok: SubscriptionInput }> {
  const { retryAfter } = await limitClient(deps, c, 'subscribe');
  if (retryAfter !== undefined) return { rateLimited: retryAfter };
  const parsed = subscriptionInput(deps.reference).safeParse(fields);
  if (!parsed.success) return { invalid: fieldErrors(parsed.error, { key: 'field' }) };
  await requestSubscription(deps, parsed.data, (deps.now ?? (() => new Date()))());
  return { ok: parsed.data };
}

export function subscriptionRoutes(deps: ComplaintDeps) {
  const app = new Hono();
  app.post(
    '/',
    bodyLimit({ maxSize: MAX_JSON_BYTES, onError: (c) => apiError(c, 413, 'payload_too_large', `请求内容过大（上限 ${MAX_JSON_BYTES / 1024} KB）。`) }),
    async (c) => {
      // Links in the mails need the site's address (SITE_URL on Workers).
      if (!deps.mail) return apiError(c, 503, 'mail_unavailable', '邮件订阅暂不可用：未配置网站地址（SITE_URL）。');
      const read = await jsonBody(c);
      if ('refused' in read) return read.refused;
      const body = read.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return apiError(c, 400, 'invalid_json', '请求内容应为 JSON 对象。');
      const outcome = await subscribeRequest(deps, c, body);
      if ('rateLimited' in outcome) {
        c.header('Retry-After', String(outcome.rateLimited));
        return apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${outcome.rateLimited} 秒后再试。`);
      }
      if ('invalid' in outcome) return apiError(c, 422, 'validation_failed', '提交内容有误，请按提示修改。', outcome.invalid);
      c.header('Cache-Control', 'no-store');
      return c.json(SUBSCRIPTION_ACCEPTED, 202);
    },
  );
  return app;
}
