/**
 * Local and self-hosted entry: one Node process serving the built site (dist/)
 * and the API. `npm start` builds first, then runs this.
 */
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import { parseTrustedProxies, proxyAware } from './client/proxy.ts';
import { DEFAULT_LIMITS, type ComplaintDeps } from './complaints.ts';
import { distShells, localPhotoStore, localSecrets, openLocalDatabase, protectLocalData } from './local.ts';
import { directoryRedirect } from './paths.ts';
import { loadContent } from '../src/content/load.ts';
import { getPortal, itemTitle } from '../src/content/portal.ts';
import { facetLabels } from '../src/search/content-docs.ts';
import { referenceFrom } from '../src/site/reference.ts';

const port = Number(process.env.PORT ?? 4321);
const hostname = process.env.HOST ?? '127.0.0.1';
const root = process.env.DIST_DIR ?? 'dist';
const production = process.env.NODE_ENV === 'production';
// Everything this process creates (database, WAL, secrets, photos) is for its own user only.
process.umask(0o077);

/** SITE_URL, checked at start: a typo would otherwise refuse every staff login. */
function siteUrl(value = process.env.SITE_URL): string | undefined {
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

const db = await openLocalDatabase();
const secrets = await localSecrets();
protectLocalData();
const limits = benchLimits();
const reference = referenceFrom(loadContent().content, itemTitle);
// Behind a reverse proxy the socket peer is the proxy: TRUSTED_PROXIES says whose forwarding headers to believe.
const client = proxyAware(parseTrustedProxies(process.env.TRUSTED_PROXIES), (c) => getConnInfo(c).remote.address ?? 'unknown');
const app = createApp({
  production,
  siteUrl: siteUrl(),
  shells: distShells(root),
  searchLabels: facetLabels(getPortal()),
  open311Keys: (process.env.OPEN311_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
  complaints: {
    db,
    ...secrets,
    reference,
    photos: localPhotoStore(),
    clientAddress: client.clientAddress,
    requestOrigin: client.requestOrigin,
    ...(limits ? { limits } : {}),
  },
});

// Pages live at /path/ (Astro's directory format): send /path to /path/, on this site only.
app.use('*', async (c, next) => {
  const path = c.req.path;
  if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !path.startsWith('/api/') && !path.startsWith('/open311/') && !path.endsWith('/') && !/\.[^/]+$/.test(path)) {
    return c.redirect(directoryRedirect(c.req.url), 301);
  }
  return next();
});
// dist/_headers is configuration for Cloudflare's static assets, not a page.
app.get('/_headers', (c) => c.notFound());
app.use('/_astro/*', async (c, next) => {
  await next();
  if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
});
// The static site is compressed (Cloudflare does this itself in production). The dynamic pages
// registered before this line are not: staff pages carry CSRF tokens beside reflected input (BREACH).
app.use('*', compress());
app.use('*', serveStatic({ root }));
app.notFound((c) => {
  let page = '<!doctype html><html lang="zh-CN"><title>未找到</title><p>未找到该页面。</p></html>';
  try {
    page = readFileSync(`${root}/404.html`, 'utf8');
  } catch {
    // the build has no 404 page: use the plain one
  }
  return c.html(page, 404);
});

serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`督察整改公开平台已启动：http://${info.address}:${info.port}/`);
});
