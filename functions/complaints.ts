/**
 * Complaint intake and tracking API.
 *
 * POST /api/complaints       — submit; 201 with a receipt once the row is committed;
 *                               a retry with the same Idempotency-Key returns the same receipt (200).
 * GET  /api/complaints/:code — the reporter's view of their complaint by its tracking code (the secret):
 *                               states and public replies only.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { findByCode, publicView } from './complaint-service.ts';
import { apiError } from './errors.ts';
import { intake, type IntakeDeps, type IntakeOutcome } from './intake.ts';
import { clientOf, DEFAULT_LIMITS, hit, type LimitedAction } from './ratelimit.ts';

export interface ComplaintDeps extends IntakeDeps {
  /** The client's network address as this runtime knows it; only ever stored hashed. */
  clientAddress: (c: Context) => string;
  /**
   * The origin (scheme://host) the browser used, as this runtime knows it; behind trusted
   * reverse proxies, from their headers (functions/client/proxy.ts). Default: the request URL's.
   */
  requestOrigin?: ((c: Context) => string) | undefined;
}

/** JSON bodies are small; photos (multipart) come with their own limit. */
const MAX_JSON_BYTES = 32 * 1024;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/**
 * Counts a request against the client's limit for an action; answers with the client's salted
 * hash (of its full address), and, when over the limit, the number of seconds to wait. Intake
 * counts on two budgets of its own (functions/intake.ts).
 */
export async function limitClient(deps: ComplaintDeps, c: Context, action: Exclude<LimitedAction, 'intake' | 'intakeRefused'>) {
  const { client, bucket } = await clientOf(deps.clientSalt, deps.clientAddress(c));
  const limit = { ...DEFAULT_LIMITS, ...deps.limits }[action];
  const result = await hit(deps.db, `${action}:${bucket}`, limit, (deps.now ?? (() => new Date()))().getTime());
  return { client, retryAfter: result.allowed ? undefined : result.retryAfter };
}

/** A form's random key (rendered into each form), if the submitted value is one; otherwise undefined. */
export function formKeyOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{16,100}$/.test(value) ? value : undefined;
}

/**
 * An intake outcome in the API's error format: the JSON API's answer, and the form's to its
 * script. `keyReused` is the channel's own words for a key sent again with another body.
 */
export function intakeInJson(c: Context, outcome: Exclude<IntakeOutcome<unknown>, { rejected: unknown }>, keyReused: string) {
  if ('rateLimited' in outcome) {
    c.header('Retry-After', String(outcome.rateLimited));
    return apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${outcome.rateLimited} 秒后再试。`);
  }
  if ('refused' in outcome) {
    // A CAPTCHA that alone failed says so itself; otherwise the fields say what is wrong.
    const only = Object.keys(outcome.refused);
    const message = only.length === 1 && outcome.refused.captcha ? outcome.refused.captcha : '提交内容有误，请按提示修改。';
    return apiError(c, 422, 'validation_failed', message, outcome.refused);
  }
  if ('keyReused' in outcome) return apiError(c, 422, 'idempotency_key_reused', keyReused);
  if (outcome.replay) c.header('Idempotent-Replay', 'true');
  return c.json(outcome.ok, outcome.replay ? 200 : 201);
}

export function complaintRoutes(deps: ComplaintDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  app.post(
    '/',
    bodyLimit({ maxSize: MAX_JSON_BYTES, onError: (c) => apiError(c, 413, 'payload_too_large', `请求内容过大（上限 ${MAX_JSON_BYTES / 1024} KB）。`) }),
    async (c) => {
      const type = c.req.header('Content-Type') ?? '';
      if (!type.toLowerCase().startsWith('application/json')) {
        return apiError(c, 415, 'unsupported_media_type', '请以 application/json 提交。');
      }
      const keyHeader = c.req.header('Idempotency-Key');
      if (keyHeader !== undefined && !IDEMPOTENCY_KEY.test(keyHeader)) {
        return apiError(c, 400, 'invalid_idempotency_key', 'Idempotency-Key 应为 8 至 100 个字母、数字或 _.:- 字符。');
      }
      const outcome = await intake(deps, {
        address: deps.clientAddress(c),
        read: async () => {
          let body: unknown;
          try {
            body = await c.req.json();
          } catch {
            return { rejected: '请求内容不是有效的 JSON。' };
          }
          if (typeof body !== 'object' || body === null || Array.isArray(body)) return { rejected: '请求内容应为 JSON 对象。' };
          const fields = body as Record<string, unknown>;
          return {
            input: fields,
            key: keyHeader === undefined ? undefined : { submission: keyHeader },
            captcha: { token: (field) => fields[field], when: 'fields-valid' },
          };
        },
      });
      if ('rejected' in outcome) return apiError(c, 400, 'invalid_json', outcome.rejected);
      return intakeInJson(c, outcome, '该 Idempotency-Key 已用于另一份不同的提交；新的提交请使用新的 Idempotency-Key。');
    },
  );

  app.get('/:code', async (c) => {
    const { retryAfter } = await limitClient(deps, c, 'lookup');
    if (retryAfter !== undefined) {
      c.header('Retry-After', String(retryAfter));
      return apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${retryAfter} 秒后再试。`);
    }
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return apiError(c, 404, 'not_found', '没有找到该受理编号，请核对后重试。');
    return c.json(await publicView(db, row, now()));
  });

  return app;
}
