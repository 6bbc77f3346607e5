/**
 * Complaint intake, once for every channel. The JSON API (functions/complaints.ts), the form
 * (functions/routes/complaints.ts) and Open311 (functions/open311.ts) each map their request to an
 * IntakeRequest and the outcome to their own answer (the API's error format, the form again with
 * its error summary, Open311's [{code, description}]). Everything between is here, in this order:
 * the rate limit, the channel's reading of the body, the schema, the photos, the CAPTCHA, the
 * idempotency key and the write (functions/complaint-service.ts). Framework-free: a network
 * address and plain values in, plain values out.
 */
import { complaintInput } from '../src/domain/complaint.ts';
import { todayInChina } from '../src/domain/dates.ts';
import { fieldErrors } from '../src/domain/field-errors.ts';
import { checkPhoto, PHOTO_LIMITS, PhotoError } from '../src/domain/photos.ts';
import type { Reference } from '../src/site/reference.ts';
import { IdempotencyKeyReusedError, submitComplaint, type CheckedPhoto, type IntakeDeps as StoreDeps, type Receipt } from './complaint-service.ts';
import { saltedHash } from './crypto.ts';
import { clientOf, DEFAULT_LIMITS, hit, release, type Limit, type LimitedAction } from './ratelimit.ts';

export interface IntakeDeps extends StoreDeps {
  clientSalt: string;
  /** Regions a complaint may name and units it may be passed to (from the content). */
  reference: Reference;
  limits?: Partial<Record<LimitedAction, Limit>>;
  now?: () => Date;
  /** Optional CAPTCHA check (off by default); see CaptchaHook. */
  captcha?: CaptchaHook | undefined;
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

/** What a channel asks of intake. `R` is the channel's own reason to refuse a body it cannot read. */
export interface IntakeRequest<R> {
  /** The client's network address as the runtime knows it; only ever stored hashed. */
  address: string;
  /**
   * Reads the request once it is counted, so that a body that cannot be read (broken JSON, a wrong
   * Open311 api_key) is a refused request like any other: what was submitted, or `rejected`.
   */
  read(): Promise<IntakeSubmission | { rejected: R }>;
}

export interface IntakeSubmission {
  /** The fields, mapped from the channel's shape to the intake schema's (src/domain/complaint.ts). */
  input: unknown;
  key: IntakeKey;
  /** Files chosen (the form only), without the part a browser sends for a file input left empty. */
  photos?: readonly File[];
  captcha:
    | {
        /** The value sent in the hook's field (CaptchaHook.field). */
        token: (field: string) => unknown;
        /**
         * `always`: checked with everything else, so that the form lists every problem at once;
         * `fields-valid`: asked of the provider only for an otherwise valid body (the API), so that
         * a client's token is not spent on a body it must send again.
         */
        when: 'always' | 'fields-valid';
      }
    /** Open311: keyed partners' servers, which cannot show a CAPTCHA to anyone. */
    | 'exempt';
}

/**
 * How a retry is recognised. Each channel prefixes its own keys (`form:`, `open311:`), so that
 * one channel's key never replays another's complaint.
 */
export type IntakeKey =
  /** A key naming one submission (Idempotency-Key, the form's key): a retry replays; another body under it is refused. */
  | { submission: string }
  /** A key naming a sender (Open311's device_id): only the same body from it again is a retry. */
  | { sender: string }
  /** No key: the same body from the same client is a retry. */
  | undefined;

export type IntakeOutcome<R> =
  /** Stored, or a retry of a stored complaint (`replay`). */
  | { ok: Receipt; replay: boolean }
  /** Problems by field (`_` for the whole body, `photos`, `captcha`): nothing stored. */
  | { refused: Record<string, string> }
  /** Over one of the client's budgets: seconds to wait. */
  | { rateLimited: number }
  /** The submission's key came before with a different body: nothing stored. */
  | { keyReused: true }
  /** The channel could not read the body (`IntakeRequest.read`). */
  | { rejected: R };

export async function intake<R>(deps: IntakeDeps, request: IntakeRequest<R>): Promise<IntakeOutcome<R>> {
  const at = (deps.now ?? (() => new Date()))();
  const admitted = await admit(deps, request.address, at);
  if ('retryAfter' in admitted) return { rateLimited: admitted.retryAfter };
  // A thrown error (a 5xx) leaves the request on both budgets: nothing to tell, the cautious side.
  const outcome = await decide(deps, request, admitted.client, at);
  await admitted.settle('ok' in outcome);
  return outcome;
}

/**
 * Counts the request against both of the client's intake budgets at once, accepted and refused,
 * so that concurrent requests cannot overrun either; `settle` takes it back from the budget it
 * turned out not to belong to. Over either budget, it is counted against neither other.
 */
async function admit(deps: IntakeDeps, address: string, at: Date) {
  const { client, bucket } = await clientOf(deps.clientSalt, address);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const keys = { accepted: `intake:${bucket}`, refused: `intakeRefused:${bucket}` };
  const [accepted, refused] = await Promise.all([hit(deps.db, keys.accepted, limits.intake, at.getTime()), hit(deps.db, keys.refused, limits.intakeRefused, at.getTime())]);
  if (!accepted.allowed || !refused.allowed) {
    if (accepted.allowed) await release(deps.db, keys.accepted, accepted.windowStart);
    if (refused.allowed) await release(deps.db, keys.refused, refused.windowStart);
    return { retryAfter: Math.max(accepted.allowed ? 0 : accepted.retryAfter, refused.allowed ? 0 : refused.retryAfter) };
  }
  /** Never throws: the answer (perhaps a receipt) must still reach the client. */
  const settle = async (wasAccepted: boolean) => {
    try {
      if (wasAccepted) await release(deps.db, keys.refused, refused.windowStart);
      else await release(deps.db, keys.accepted, accepted.windowStart);
    } catch (error) {
      // The request stays counted on both budgets.
      console.error(`频率计数未能结算：${(error as Error).name}`);
    }
  };
  return { client, settle };
}

async function decide<R>(deps: IntakeDeps, request: IntakeRequest<R>, client: string, at: Date): Promise<IntakeOutcome<R>> {
  const submission = await request.read();
  if ('rejected' in submission) return submission;
  const parsed = schemaFor(deps.reference, todayInChina(at)).safeParse(submission.input);
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const photos = await checkPhotos(deps, submission.photos ?? []);
  if ('problem' in photos) errors.photos = photos.problem;
  const { captcha } = submission;
  if (captcha !== 'exempt' && (captcha.when === 'always' || !Object.keys(errors).length)) {
    const problem = await captchaProblem(deps, captcha.token, request.address);
    if (problem) errors.captcha = problem;
  }
  if (!parsed.success || Object.keys(errors).length) return { refused: errors };
  const idempotencyKey = await keyOf(client, submission.key, parsed.data);
  try {
    const { receipt, replay } = await submitComplaint(deps, parsed.data, { idempotencyKey, clientHash: client, at, photos: 'checked' in photos ? photos.checked : [] });
    return { ok: receipt, replay };
  } catch (error) {
    if (error instanceof IdempotencyKeyReusedError) return { keyReused: true };
    throw error;
  }
}

/**
 * The intake schema depends only on the regions and the day (it refuses later dates); building it
 * costs more than validating with it, so it is built once a day for each reference list, which
 * every channel of an app shares.
 */
const schemas = new WeakMap<Reference, { today: string; schema: ReturnType<typeof complaintInput> }>();
function schemaFor(reference: Reference, today: string) {
  let cached = schemas.get(reference);
  if (cached?.today !== today) schemas.set(reference, (cached = { today, schema: complaintInput(reference.regions.map((r) => r.id), today) }));
  return cached.schema;
}

/** Photos checked by their content and stripped of metadata (src/domain/photos.ts); only when a store is configured. */
async function checkPhotos(deps: IntakeDeps, files: readonly File[]): Promise<{ checked: CheckedPhoto[] } | { problem: string }> {
  if (files.length && !deps.photos) return { problem: '本站暂不接收照片' };
  if (files.length > PHOTO_LIMITS.maxCount) return { problem: `照片最多 ${PHOTO_LIMITS.maxCount} 张` };
  const checked: CheckedPhoto[] = [];
  for (const file of files) {
    try {
      const photo = checkPhoto(new Uint8Array(await file.arrayBuffer()), file.type);
      checked.push({ type: photo.type, bytes: photo.bytes });
    } catch (error) {
      if (!(error instanceof PhotoError)) throw error;
      return { problem: `照片“${file.name.slice(0, 60) || '未命名文件'}”：${error.message}` };
    }
  }
  return { checked };
}

/** The CAPTCHA hook's answer, if one is configured: a problem to show, or undefined for passed (or off). */
async function captchaProblem(deps: IntakeDeps, tokenOf: (field: string) => unknown, address: string): Promise<string | undefined> {
  if (!deps.captcha) return undefined;
  const token = tokenOf(deps.captcha.field);
  if (typeof token !== 'string' || !token || token.length > 4096) return '请完成人机验证';
  return (await deps.captcha.verify(token, address)) ? undefined : '人机验证未通过，请重试';
}

function keyOf(client: string, key: IntakeKey, data: unknown) {
  if (key && 'submission' in key) return idempotencyKeyFor(client, key.submission, data);
  // A sender's key holds the body too, so that a sender's second complaint is new, not a reuse.
  if (key) return idempotencyKeyFor(client, `${key.sender}:${JSON.stringify(data)}`, data);
  return idempotencyKeyFor(client, undefined, data);
}

/**
 * The key a retry is recognised by: the client's key alone (hashed, not scoped to the client's
 * address: a phone that changes networks between attempts still replays), else a digest of what
 * this client submitted. A key also binds the body it first came with (submitComplaint).
 */
export async function idempotencyKeyFor(client: string, key: string | undefined, input: unknown) {
  return key ? `key:${await saltedHash('idempotency-key', key)}` : `digest:${await saltedHash(client, JSON.stringify(input))}`;
}
