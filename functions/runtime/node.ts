/**
 * The portal's runtime in Node (the embedded default): the Hono app of functions/app.ts on the
 * embedded libSQL file, with secrets from .data/ or the environment. Astro's Node adapter runs it
 * from the catch-all routes of src/pages (see src/server/portal.ts); functions/node.ts creates it
 * at start so a broken database or setting stops the server at once.
 *
 * One per process, kept on globalThis: functions/node.ts and the Astro server bundle each load
 * their own copy of this module, and two copies must not open two writers on one database
 * (functions/db.ts commits in groups with one writer per process).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from '../app.ts';
import { parseTrustedProxies, proxyAware } from '../client/proxy.ts';
import type { ComplaintDeps } from '../complaints.ts';
import { DEFAULT_LIMITS } from '../ratelimit.ts';
import { localPhotoStore, localSecrets, openLocalDatabase, protectLocalData } from '../local.ts';
import { mailerFromEnv, sendInterval, startSender } from '../mail/node.ts';
import { queueJob } from '../mail/digests.ts';
import { servedUrl } from '../../src/site/site-url.ts';
import type { FacetLabels } from '../../src/search/index-store.ts';
import type { Reference } from '../../src/site/reference.ts';
import type { PortalRuntime } from './types.ts';
import { configureZodLocale } from '../../src/model/zod-locale.ts';

// Validation messages (the API's `fields`, the form's errors) in Chinese: configured here, as the
// process's entry, not left to whichever module happens to be imported first.
configureZodLocale();

/** The built site's static files (Astro's client output). */
export const CLIENT_DIR = process.env.DIST_DIR ?? 'dist/client';

/** Headers of a page served in place of a static file: none here (functions/node.ts sets them on every response). */
export const builtPageHeaders: readonly [string, string][] = [];

/** A built static file's text by its site path (`/x/` is `/x/index.html`): record pages kept in bundles (src/site/page-bundles.ts). */
export async function readBuilt(path: string): Promise<string | undefined> {
  // Paths come from src/site/page-bundles.ts, already checked to be plain names.
  const file = join(CLIENT_DIR, ...path.split('/').filter(Boolean), ...(path.endsWith('/') ? ['index.html'] : []));
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A data file the build wrote (dist/client/data/): the runtime's reference data, as the Worker reads it from its assets. */
async function builtData<T>(name: string): Promise<T> {
  const path = join(CLIENT_DIR, 'data', name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`缺少构建产物 ${path}：请先运行 npm run build（npm start 会先构建）。`);
  }
  return JSON.parse(text) as T;
}

/** SITE_URL, checked at start: a typo would otherwise refuse every staff login. */
export function siteUrl(value = process.env.SITE_URL): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`SITE_URL 不是有效的网址：${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SITE_URL 应以 https:// 或 http:// 开头：${JSON.stringify(value)}`);
  return url.origin;
}

/**
 * BENCH_RATE_LIMIT_MAX (unset in production): raises every per-client rate limit to this many
 * requests per window, for the load benchmark (bench/load/run.ts), whose requests all come
 * from one address. Requests are still counted in the database exactly as in production;
 * only the threshold changes. Never set it on a public server.
 */
function benchLimits(value = process.env.BENCH_RATE_LIMIT_MAX): ComplaintDeps['limits'] {
  if (value === undefined || value === '') return undefined;
  const max = Number(value);
  if (!Number.isSafeInteger(max) || max < 1) throw new Error(`BENCH_RATE_LIMIT_MAX 应为正整数，而不是 ${JSON.stringify(value)}`);
  console.warn(`注意：BENCH_RATE_LIMIT_MAX=${max}，每个客户端的频率限制已放宽（仅供压力测试，切勿用于公开服务）。`);
  return Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([action, limit]) => [action, { ...limit, max }]));
}

async function create(): Promise<PortalRuntime> {
  // Everything this process creates (database, WAL, secrets, photos) is for its own user only.
  process.umask(0o077);
  const db = await openLocalDatabase();
  const secrets = await localSecrets();
  protectLocalData();
  const limits = benchLimits();
  // SMTP_URL and MAIL_FROM: checked now, like every setting. Without them mail waits in the outbox.
  const mailer = mailerFromEnv();
  const interval = sendInterval();
  // Regions, units, notice windows and facet names: the build's output, as on Workers (one source).
  const [reference, searchLabels] = await Promise.all([builtData<Reference>('reference.json'), builtData<FacetLabels>('search-labels.json')]);
  // Behind a reverse proxy the socket peer is the proxy: TRUSTED_PROXIES says whose forwarding headers
  // to believe. The peer is the address Astro's Node adapter read from the socket (src/server/portal.ts).
  const client = proxyAware(parseTrustedProxies(process.env.TRUSTED_PROXIES), (c) => (c.env as { peer?: string } | undefined)?.peer ?? 'unknown');
  // Links in mails are absolute: SITE_URL, or the address this server is served at.
  const mail = { siteUrl: siteUrl() ?? servedUrl(process.env), delivery: mailer?.delivery };
  const app = createApp({
    production: process.env.NODE_ENV === 'production',
    siteUrl: siteUrl(),
    searchLabels,
    open311Keys: (process.env.OPEN311_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    complaints: {
      db,
      ...secrets,
      reference,
      photos: localPhotoStore(),
      clientAddress: client.clientAddress,
      requestOrigin: client.requestOrigin,
      ...(limits ? { limits } : {}),
      mail,
    },
  });
  // The sender runs in this process, on a timer that never keeps it alive (functions/mail/node.ts).
  // Subscription digests and deadline reminders are queued only where mail leaves: without SMTP they would go stale in the outbox.
  if (mailer) startSender(db, secrets.contactKey, mailer, interval, queueJob({ db, ...secrets, reference, mail, limits }));
  return { app, db, searchLabels };
}

const KEY = Symbol.for('ducha-zhenggai-portal.runtime');
type Holder = { [KEY]?: Promise<PortalRuntime> };

/** The process's runtime, created on first use (a failure is retried on the next call). */
export function portalRuntime(): Promise<PortalRuntime> {
  const holder = globalThis as Holder;
  holder[KEY] ??= create().catch((error: unknown) => {
    delete holder[KEY];
    throw error;
  });
  return holder[KEY];
}
