/**
 * Complaint intake and tracking API.
 *
 * POST /api/complaints       — submit; 201 with a receipt once the row is committed;
 *                               a retry with the same Idempotency-Key returns the same receipt (200).
 * GET  /api/complaints/:code — the public view of one complaint: states and public replies only.
 */
import { eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { complaintEvents, complaints } from '../db/schema.ts';
import { complaintInput, fieldErrors, formatTrackingCode, newTrackingCode, normaliseTrackingCode } from '../src/domain/complaint.ts';
import { complaintStateLabel } from '../src/domain/complaint-states.ts';
import { todayInChina } from '../src/domain/dates.ts';
import { encryptJson, saltedHash } from './crypto.ts';
import type { Database } from './db.ts';
import { apiError } from './errors.ts';
import { hit, type Limit } from './ratelimit.ts';

export interface ComplaintDeps {
  db: Database;
  contactKey: CryptoKey;
  clientSalt: string;
  /** Region ids a complaint may name (from the content's reference list). */
  regions: readonly string[];
  /** The client's network address as this runtime knows it. */
  clientAddress: (c: Context) => string;
  limits?: { intake?: Limit; lookup?: Limit };
  now?: () => Date;
}

const DEFAULT_LIMITS = {
  intake: { max: 10, windowSeconds: 600 },
  lookup: { max: 120, windowSeconds: 600 },
};
/** JSON bodies are small; photos (multipart) come with their own limit. */
const MAX_JSON_BYTES = 32 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

interface Receipt {
  trackingCode: string;
  trackingCodeDisplay: string;
  receivedAt: string;
  state: string;
  stateLabel: string;
  trackUrl: string;
}

function receipt(row: { trackingCode: string; createdAt: string; state: string }): Receipt {
  return {
    trackingCode: row.trackingCode,
    trackingCodeDisplay: formatTrackingCode(row.trackingCode),
    receivedAt: row.createdAt,
    state: row.state,
    stateLabel: complaintStateLabel(row.state),
    trackUrl: `/api/complaints/${row.trackingCode}`,
  };
}

/** SQLite reports a violated UNIQUE constraint this way; the cause may be wrapped by drizzle. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed')) return true;
  }
  return false;
}

export function complaintRoutes(deps: ComplaintDeps) {
  const { db } = deps;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  const limited = async (c: Context, action: 'intake' | 'lookup') => {
    const client = await saltedHash(deps.clientSalt, deps.clientAddress(c));
    const result = await hit(db, `${action}:${client}`, limits[action], now().getTime());
    if (result.allowed) return { client, response: undefined };
    c.header('Retry-After', String(result.retryAfter));
    return { client, response: apiError(c, 429, 'rate_limited', `提交过于频繁，请在 ${result.retryAfter} 秒后再试。`) };
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
      const parsed = complaintInput(deps.regions, todayInChina(now())).safeParse(body);
      if (!parsed.success) {
        return apiError(c, 422, 'validation_failed', '提交内容有误，请按提示修改。', fieldErrors(parsed.error));
      }
      const input = parsed.data;
      // Without a client key, an identical resubmission from the same client is the same complaint.
      const idempotencyKey = keyHeader
        ? `key:${await saltedHash(client, keyHeader)}`
        : `digest:${await saltedHash(client, JSON.stringify(input))}`;

      const existing = await db.query.complaints.findFirst({ where: eq(complaints.idempotencyKey, idempotencyKey) });
      if (existing) {
        c.header('Idempotent-Replay', 'true');
        return c.json(receipt(existing), 200);
      }

      const id = crypto.randomUUID();
      const at = now().toISOString();
      const contact = input.anonymous ? null : await encryptJson(deps.contactKey, { name: input.name, phone: input.phone, email: input.email }, id);
      for (let attempt = 0; ; attempt++) {
        const trackingCode = newTrackingCode();
        try {
          // One transaction: the receipt exists only if both rows were written.
          await db.batch([
            db.insert(complaints).values({
              id, trackingCode, idempotencyKey, state: 'submitted',
              pollutionTypes: input.pollutionTypes, region: input.region, address: input.address,
              latitude: input.latitude ?? null, longitude: input.longitude ?? null, observedAt: input.observedAt,
              description: input.description, suspectedPolluter: input.suspectedPolluter ?? null,
              anonymous: input.anonymous, contactCiphertext: contact, consentPublish: input.consentPublish,
              clientHash: client, createdAt: at, updatedAt: at,
            }),
            db.insert(complaintEvents).values({ complaintId: id, at, actor: 'reporter', action: 'submit', state: 'submitted' }),
          ]);
          return c.json(receipt({ trackingCode, createdAt: at, state: 'submitted' }), 201);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          // A concurrent retry with the same key won the race: answer with its receipt.
          const winner = await db.query.complaints.findFirst({ where: eq(complaints.idempotencyKey, idempotencyKey) });
          if (winner) {
            c.header('Idempotent-Replay', 'true');
            return c.json(receipt(winner), 200);
          }
          // Otherwise the random tracking code collided: draw another.
          if (attempt >= 3) throw error;
        }
      }
    },
  );

  app.get('/:code', async (c) => {
    const { response } = await limited(c, 'lookup');
    if (response) return response;
    const code = normaliseTrackingCode(c.req.param('code'));
    if (!code) return apiError(c, 404, 'not_found', '没有找到该受理编号，请核对后重试。');
    const row = await db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) });
    if (!row) return apiError(c, 404, 'not_found', '没有找到该受理编号，请核对后重试。');
    const events = await db.query.complaintEvents.findMany({
      where: eq(complaintEvents.complaintId, row.id),
      orderBy: (e, { asc }) => [asc(e.id)],
    });
    return c.json({
      ...receipt(row),
      pollutionTypes: row.pollutionTypes,
      region: row.region,
      // Only what the reporter may see: states and public replies, never internal notes or contacts.
      timeline: events.map((e) => ({ at: e.at, state: e.state, stateLabel: complaintStateLabel(e.state), publicNote: e.publicNote ?? null })),
    });
  });

  return app;
}
