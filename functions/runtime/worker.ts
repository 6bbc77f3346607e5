/**
 * The portal's runtime on Cloudflare Workers (production): the same Hono app on Turso, with the
 * built site's reference data and page frames read from the static assets binding. Astro's
 * Cloudflare adapter runs it from the catch-all routes of src/pages (src/server/portal.ts).
 * Bindings and secrets come from `cloudflare:workers` (wrangler.toml lists them).
 */
import { env as bindings } from 'cloudflare:workers';
import { createApp } from '../app.ts';
import { importContactKey } from '../crypto.ts';
import { openDatabase } from '../db.ts';
import { emailBindingTransport, type SendEmailBinding } from '../mail/cloudflare.ts';
import { sendDue, type SendReport } from '../mail/sender.ts';
import { queueDigests } from '../subscription-service.ts';
import { queueReminders } from '../reminders.ts';
import { r2PhotoStore } from '../photo-store.ts';
import type { FacetLabels } from '../../src/search/index-store.ts';
import type { Reference } from '../../src/site/reference.ts';
import type { PortalRuntime } from './types.ts';
import { configureZodLocale } from '../../src/model/zod-locale.ts';
import { securityHeaders } from '../security-headers.ts';

// Validation messages in Chinese. The Worker loads no content (whose loader also sets this), so
// without this call zod's own messages would reach the public in English.
configureZodLocale();

interface Env {
  ASSETS: { fetch: (input: Request | string) => Promise<Response> };
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  CONTACT_ENCRYPTION_KEY?: string;
  CLIENT_HASH_SALT?: string;
  /** Comma-separated keys for Open311 POST requests. */
  OPEN311_API_KEYS?: string;
  /** The site's public address (https://…, a [vars] entry in wrangler.toml): the origin staff posts must come from, and the base of absolute URLs such as Open311's discovery document. */
  SITE_URL?: string;
  /** R2 bucket for complaint photos (wrangler.toml); without it the form offers no photos. */
  PHOTOS?: Parameters<typeof r2PhotoStore>[0];
  /** Cloudflare Email Service's send_email binding (wrangler.toml `[[send_email]]`). */
  EMAIL?: SendEmailBinding;
  /** The From address of every mail (a [vars] entry), on a domain onboarded to Email Service. */
  MAIL_FROM?: string;
}

/** Mail leaves only with both the binding and a From address; links in mails need SITE_URL. */
const mailDelivery = (env: Env) => (env.EMAIL && env.MAIL_FROM ? 'Cloudflare Email Service（send_email 绑定）' : undefined);

/** A JSON file of the built site (made from the content it was built from), read once per isolate. */
async function builtData<T>(env: Env, name: string): Promise<T> {
  const res = await env.ASSETS.fetch(`https://assets.invalid/data/${name}`);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Headers of a page the Worker serves in place of a static asset: those client/_headers gives static assets. */
export const builtPageHeaders: readonly [string, string][] = securityHeaders(true);

/** A built static file's text by its site path, from the assets binding: record pages kept in bundles (src/site/page-bundles.ts). */
export async function readBuilt(path: string): Promise<string | undefined> {
  const res = await (bindings as unknown as Env).ASSETS.fetch(`https://assets.invalid${path}`);
  return res.ok ? res.text() : undefined;
}

type WorkerRuntime = PortalRuntime & { contactKey: CryptoKey | undefined; reference: Reference };

async function create(env: Env): Promise<WorkerRuntime> {
  // Regions, units and notice windows; names of search facet values.
  const [ref, searchLabels] = await Promise.all([builtData<Reference>(env, 'reference.json'), builtData<FacetLabels>(env, 'search-labels.json')]);
  const configured = env.DATABASE_URL && env.CONTACT_ENCRYPTION_KEY && env.CLIENT_HASH_SALT;
  const db = configured ? openDatabase(env.DATABASE_URL!, env.DATABASE_AUTH_TOKEN) : undefined;
  const contactKey = configured ? await importContactKey(env.CONTACT_ENCRYPTION_KEY!) : undefined;
  const app = createApp({
    production: true,
    siteUrl: env.SITE_URL || undefined,
    regions: ref.regions.map((r) => r.id),
    searchLabels,
    open311Keys: (env.OPEN311_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    complaints: db && contactKey
      ? {
          db,
          contactKey,
          clientSalt: env.CLIENT_HASH_SALT!,
          reference: ref,
          photos: env.PHOTOS ? r2PhotoStore(env.PHOTOS) : undefined,
          // Cloudflare's CF-Connecting-IP, as Astro's adapter reads it (src/server/portal.ts); only ever hashed.
          clientAddress: (c) => (c.env as { peer?: string } | undefined)?.peer ?? 'unknown',
          // Reporter mails need absolute links: without SITE_URL none are queued.
          mail: env.SITE_URL ? { siteUrl: env.SITE_URL, delivery: mailDelivery(env) } : undefined,
        }
      : undefined,
  });
  return { app, db, searchLabels, contactKey, reference: ref };
}

let runtime: Promise<WorkerRuntime> | undefined;

/** The isolate's runtime, created on first use (a failure is retried on the next request). */
export function portalRuntime(): Promise<WorkerRuntime> {
  runtime ??= create(bindings as unknown as Env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/**
 * The Cron Trigger's work (src/worker.ts `scheduled`): queues due subscription digests and staff's deadline reminders, and sends the outbox rows that are due
 * through the send_email binding. Says why when it cannot (no database, no binding or From).
 */
export async function sendDueMail(now = new Date()): Promise<(SendReport & { digests: number; reminders: number }) | { skipped: string }> {
  const env = bindings as unknown as Env;
  const { db, contactKey, reference } = await portalRuntime();
  if (!db || !contactKey) return { skipped: '未配置数据库' };
  if (!env.EMAIL || !env.MAIL_FROM) return { skipped: '未配置 send_email 绑定（EMAIL）或 MAIL_FROM：邮件留在发信队列中' };
  // Due subscription digests first (from the changes the last index run copied: the Worker has no
  // content of its own), so that this run sends them. Links need SITE_URL.
  const mail = env.SITE_URL ? { siteUrl: env.SITE_URL } : undefined;
  const digests = (await queueDigests({ db, contactKey, clientSalt: env.CLIENT_HASH_SALT!, reference, mail }, now)).queued;
  // Deadline reminders for staff (their links too need SITE_URL).
  const reminders = (await queueReminders({ db, contactKey, reference, mail }, now)).queued;
  return { ...(await sendDue(db, contactKey, emailBindingTransport(env.EMAIL), { from: env.MAIL_FROM, now })), digests, reminders };
}
