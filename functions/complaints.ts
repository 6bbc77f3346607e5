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
import { complaintInput, fieldErrors } from '../src/domain/complaint.ts';
import { todayInChina } from '../src/domain/dates.ts';
import type { Reference } from '../src/site/reference.ts';
import { findByCode, IdempotencyKeyReusedError, publicView, submitComplaint } from './complaint-service.ts';
import { saltedHash } from './crypto.ts';
import type { Database } from './db.ts';
import { apiError } from './errors.ts';
import type { MailSettings } from './mail/outbox.ts';
import type { PhotoStore } from './photo-store.ts';
import { limitSubject } from './client/ip.ts';
import { hit, release, type Limit } from './ratelimit.ts';

export interface ComplaintDeps {
  db: Database;
  contactKey: CryptoKey;
  clientSalt: string;
  /** Regions a complaint may name and units it may be passed to (from the content). */
  reference: Reference;
  /** The client's network address as this runtime knows it; only ever stored hashed. */
  clientAddress: (c: Context) => string;
  /**
   * The origin (scheme://host) the browser used, as this runtime knows it; behind trusted
   * reverse proxies, from their headers (functions/client/proxy.ts). Default: the request URL's.
   */
  requestOrigin?: ((c: Context) => string) | undefined;
  /** Where photos go; without one, the form does not offer photos. */
  photos?: PhotoStore | undefined;
  limits?: Partial<Record<LimitedAction, Limit>>;
  now?: () => Date;
  /** Optional CAPTCHA check (off by default); see CaptchaHook. */
  captcha?: CaptchaHook | undefined;
  /** Reporter mails (functions/mail/): the site's address for their links; without it none are queued. */
  mail?: MailSettings | undefined;
}

/**
 * A CAPTCHA provider plugged into intake (off by default). The form posts the
 * provider's token in `field`; `verify` asks the provider (e.g. Cloudflare
 * Turnstile's siteverify) and answers whether the token is good. A provider
 * whose widget needs a third-party script must also be added to the CSP.
 */
export interface CaptchaHook {
  field: string;
  verify(token: string, clientAddress: string): Promise<boolean>;
}

/** Runs the CAPTCHA hook if one is configured; undefined means passed (or off). */
export async function captchaError(deps: ComplaintDeps, c: Context, token: unknown): Promise<string | undefined> {
  if (!deps.captcha) return undefined;
  if (typeof token !== 'string' || !token || token.length > 4096) return '请完成人机验证';
  return (await deps.captcha.verify(token, deps.clientAddress(c))) ? undefined : '人机验证未通过，请重试';
}

export type LimitedAction = 'intake' | 'intakeRefused' | 'lookup' | 'dispute' | 'objection' | 'search' | 'open311' | 'open311-partner';
/**
 * Per-client limits in production; `ComplaintDeps.limits` overrides them (tests, BENCH_RATE_LIMIT_MAX in node.ts).
 * A client is an IPv4 address or an IPv6 /64 (limitSubject).
 */
export const DEFAULT_LIMITS: Readonly<Record<LimitedAction, Limit>> = {
  // Complaints accepted (JSON API, the form, Open311) …
  intake: { max: 10, windowSeconds: 600 },
  // … and intake requests refused (invalid, failed CAPTCHA), on their own larger budget, so that
  // typing mistakes do not use up the intake budget while guessing at a CAPTCHA still stops.
  intakeRefused: { max: 30, windowSeconds: 600 },
  lookup: { max: 120, windowSeconds: 600 },
  dispute: { max: 10, windowSeconds: 600 },
  objection: { max: 10, windowSeconds: 600 },
  // A reader pages and narrows a search often; a scraper should use the downloads.
  search: { max: 600, windowSeconds: 600 },
  // Open311 reads (GET) by clients without a key; keyed partners get their own limits.
  open311: { max: 120, windowSeconds: 600 },
  // Open311 reads with a valid api_key: one bucket per key, as a partner's server reads for many people.
  'open311-partner': { max: 1200, windowSeconds: 600 },
};
/** JSON bodies are small; photos (multipart) come with their own limit. */
const MAX_JSON_BYTES = 32 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/** Intake requests counted against both budgets, waiting for their response's status (settleIntake). */
const unsettled = new WeakMap<Request, (status: number) => Promise<void>>();

/**
 * Counts a request against the client's limit for an action; answers with the
 * client's salted hash (of its full address), and, when over the limit, the
 * number of seconds to wait.
 *
 * `intake` is counted against both `intake` and `intakeRefused` at once, so that
 * concurrent requests cannot overrun either; when the response is known,
 * settleIntake (a middleware in app.ts) takes it back from the budget it does
 * not belong to: a 2xx/3xx answer was accepted, another 4xx refused. A 5xx
 * stays on both (nothing to tell; the cautious side).
 */
export async function limitClient(deps: ComplaintDeps, c: Context, action: Exclude<LimitedAction, 'intakeRefused'>) {
  const address = deps.clientAddress(c);
  const client = await saltedHash(deps.clientSalt, address);
  const subject = limitSubject(address);
  const bucket = subject === address ? client : await saltedHash(deps.clientSalt, subject);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const at = (deps.now ?? (() => new Date()))().getTime();
  if (action !== 'intake') {
    const result = await hit(deps.db, `${action}:${bucket}`, limits[action], at);
    return { client, retryAfter: result.allowed ? undefined : result.retryAfter };
  }
  const keys = { accepted: `intake:${bucket}`, refused: `intakeRefused:${bucket}` };
  const [accepted, refused] = await Promise.all([hit(deps.db, keys.accepted, limits.intake, at), hit(deps.db, keys.refused, limits.intakeRefused, at)]);
  if (!accepted.allowed || !refused.allowed) {
    // Refused for one budget: not counted against the other.
    if (accepted.allowed) await release(deps.db, keys.accepted, accepted.windowStart);
    if (refused.allowed) await release(deps.db, keys.refused, refused.windowStart);
    return { client, retryAfter: Math.max(accepted.allowed ? 0 : accepted.retryAfter, refused.allowed ? 0 : refused.retryAfter) };
  }
  unsettled.set(c.req.raw, async (status) => {
    if (status < 400) await release(deps.db, keys.refused, refused.windowStart);
    else if (status < 500) await release(deps.db, keys.accepted, accepted.windowStart);
  });
  return { client, retryAfter: undefined };
}

/** After the response: counts an intake request as accepted or refused by its status (see limitClient). Never throws. */
export async function settleIntake(c: Context): Promise<void> {
  const settle = unsettled.get(c.req.raw);
  if (!settle) return;
  unsettled.delete(c.req.raw);
  try {
    await settle(c.res.status);
  } catch (error) {
    // The answer (perhaps a receipt) must still reach the client; the request stays counted on both budgets.
    console.error(`频率计数未能结算：${(error as Error).name}`);
  }
}

/** A form's random key (rendered into each form), if the submitted value is one; otherwise undefined. */
export function formKeyOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{16,100}$/.test(value) ? value : undefined;
}

/**
 * The key a retry is recognised by: the client's key alone (hashed, not scoped to the client's
 * address: a phone that changes networks between attempts still replays), else a digest of what
 * this client submitted. A key also binds the body it first came with (submitComplaint).
 */
export async function idempotencyKeyFor(client: string, key: string | undefined, input: unknown) {
  return key ? `key:${await saltedHash('idempotency-key', key)}` : `digest:${await saltedHash(client, JSON.stringify(input))}`;
}

export function complaintRoutes(deps: ComplaintDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const regionIds = deps.reference.regions.map((r) => r.id);
  // The intake schema depends only on the day (it refuses later dates); building it costs
  // more than validating with it, so it is built once a day rather than per request.
  let intake: { today: string; schema: ReturnType<typeof complaintInput> } | undefined;
  const intakeSchema = (today: string) => {
    if (intake?.today !== today) intake = { today, schema: complaintInput(regionIds, today) };
    return intake.schema;
  };
  const app = new Hono();

  const limited = async (c: Context, action: Parameters<typeof limitClient>[2]) => {
    const { client, retryAfter } = await limitClient(deps, c, action);
    if (retryAfter === undefined) return { client, response: undefined };
    c.header('Retry-After', String(retryAfter));
    return { client, response: apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${retryAfter} 秒后再试。`) };
  };

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
      const { client, response } = await limited(c, 'intake');
      if (response) return response;

      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return apiError(c, 400, 'invalid_json', '请求内容不是有效的 JSON。');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return apiError(c, 400, 'invalid_json', '请求内容应为 JSON 对象。');
      }
      const parsed = intakeSchema(todayInChina(now())).safeParse(body);
      if (!parsed.success) {
        return apiError(c, 422, 'validation_failed', '提交内容有误，请按提示修改。', fieldErrors(parsed.error));
      }
      const captcha = await captchaError(deps, c, deps.captcha && (body as Record<string, unknown>)[deps.captcha.field]);
      if (captcha) return apiError(c, 422, 'validation_failed', captcha, { captcha });
      const idempotencyKey = await idempotencyKeyFor(client, keyHeader, parsed.data);
      let outcome: Awaited<ReturnType<typeof submitComplaint>>;
      try {
        outcome = await submitComplaint(deps, parsed.data, { idempotencyKey, clientHash: client, at: now() });
      } catch (error) {
        if (error instanceof IdempotencyKeyReusedError) return apiError(c, 422, 'idempotency_key_reused', '该 Idempotency-Key 已用于另一份不同的提交；新的提交请使用新的 Idempotency-Key。');
        throw error;
      }
      if (outcome.replay) c.header('Idempotent-Replay', 'true');
      return c.json(outcome.receipt, outcome.replay ? 200 : 201);
    },
  );

  app.get('/:code', async (c) => {
    const { response } = await limited(c, 'lookup');
    if (response) return response;
    const row = await findByCode(db, c.req.param('code'));
    if (!row) return apiError(c, 404, 'not_found', '没有找到该受理编号，请核对后重试。');
    return c.json(await publicView(db, row, now()));
  });

  return app;
}
