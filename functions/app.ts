/**
 * The Hono application: every API route and the headers of every response.
 * The same app runs in Node (functions/node.ts, serving the static build from
 * dist/) and, in production, on Cloudflare Workers with static assets.
 */
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { complaintRoutes, limitClient, type ComplaintDeps } from './complaints.ts';
import { isBusy } from './db.ts';
import { apiError } from './errors.ts';
import { open311Routes } from './open311.ts';
import { searchRoutes } from './search.ts';
import type { FacetLabels } from '../src/search/index-store.ts';
import { openApiDocument } from './openapi.ts';
import { complaintPages } from './routes/complaints.ts';
import { objectionPages } from './routes/objections.ts';
import { publishedDownload } from './routes/published.ts';
import { pageRenderer } from './render.ts';
import { staffPages } from './routes/staff.ts';
import { followPages } from './routes/follow.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { staffRoutes } from './staff.ts';
import { correctionPages, errorReportApi } from './routes/corrections.ts';
import { CONTENT_SECURITY_POLICY } from './security-headers.ts';

export interface AppOptions {
  /** Production adds HSTS; local HTTP must not send it. */
  production: boolean;
  /** Database-backed features; absent when no database is configured (they answer 503). */
  complaints?: ComplaintDeps | undefined;
  /** Region ids for the API description when no database is configured. */
  regions?: readonly string[];
  /** Keys that may file Open311 requests (OPEN311_API_KEYS, comma-separated); none by default. */
  open311Keys?: readonly string[];
  /** Names for search facet values (regions, units …), from the content; optional. */
  searchLabels?: FacetLabels | undefined;
  /**
   * SITE_URL, the site's public address: when set, the only origin staff forms and the staff API
   * accept posts from, and the base of absolute URLs (Open311's discovery document); otherwise the
   * origin the request was made to (through trusted proxies).
   */
  siteUrl?: string | undefined;
}

/**
 * The JSON API and Open311: the Hono app's own answers, which need nothing of Astro. The Node server
 * (functions/node.ts) and the Worker (src/worker.ts) hand them to the app directly; Astro's
 * catch-all endpoints (src/pages/api, src/pages/open311) do the same under `astro dev`.
 */
export const API_PREFIXES = ['/api/', '/open311/'] as const;
export const isApiPath = (path: string) => API_PREFIXES.some((prefix) => path.startsWith(prefix));

/** Paths the app renders at run time; everything else is the static site. */
export const DYNAMIC_PREFIXES = ['/api/', '/complaints/', '/objections/', '/staff/', '/open311/', '/search/', '/corrections/', '/follow/', '/changes/'] as const;

export { CONTENT_SECURITY_POLICY } from './security-headers.ts';

export function createApp(options: AppOptions) {
  const app = new Hono();
  // Tracking pages carry the reporter's secret in their address: no Referer at all leaves them.
  // Registered before secureHeaders so that it runs after it and overrides its site-wide policy.
  app.use('/complaints/track/*', async (c, next) => {
    await next();
    c.res.headers.set('Referrer-Policy', 'no-referrer');
  });
  // So are the confirmation and unsubscribe links of subscription mails.
  app.use('/follow/*', async (c, next) => {
    await next();
    c.res.headers.set('Referrer-Policy', 'no-referrer');
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      strictTransportSecurity: options.production ? 'max-age=63072000; includeSubDomains' : false,
      xFrameOptions: 'DENY',
      referrerPolicy: 'strict-origin-when-cross-origin',
      crossOriginEmbedderPolicy: false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: ['self'] },
    }),
  );

  // Pages are drawn by Astro from the views the routes name (functions/render.ts).
  app.use('*', pageRenderer);

  app.get('/api/health', (c) => c.json({ status: 'ok', database: options.complaints ? 'configured' : 'not_configured' }));
  const regionIds = options.complaints?.reference.regions.map((r) => r.id) ?? options.regions ?? [];
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(regionIds)));
  const deps = options.complaints;
  if (deps) {
    const pageDeps = { ...deps, production: options.production, siteUrl: options.siteUrl };
    app.get('/api/complaints/published', (c) => publishedDownload(c, deps.db, deps.reference));
    app.route('/api/complaints', complaintRoutes(deps));
    app.route('/api/error-reports', errorReportApi(deps));
    app.route('/corrections/', correctionPages(deps));
    app.route('/api/staff', staffRoutes({ db: deps.db, production: options.production, clientAddress: deps.clientAddress, clientSalt: deps.clientSalt, siteUrl: options.siteUrl, requestOrigin: deps.requestOrigin, ...(deps.now ? { now: deps.now } : {}) }));
    app.route('/complaints/', complaintPages(pageDeps));
    app.route('/objections/', objectionPages(pageDeps));
    app.route('/api/subscriptions', subscriptionRoutes(deps));
    app.route('/follow/', followPages(deps));
    app.route('/staff/', staffPages(pageDeps));
    app.route('/open311/v2/', open311Routes({ ...deps, apiKeys: options.open311Keys ?? [], siteUrl: options.siteUrl }));
    app.route(
      '/api/search',
      searchRoutes({
        client: deps.db.$client,
        limit: async (c) => (await limitClient(deps, c, 'search')).retryAfter,
        ...(options.searchLabels ? { labels: options.searchLabels } : {}),
      }),
    );
  } else {
    app.all('/api/complaints/*', (c) => apiError(c, 503, 'database_unavailable', '投诉服务暂不可用：未配置数据库。'));
    app.all('/api/complaints', (c) => apiError(c, 503, 'database_unavailable', '投诉服务暂不可用：未配置数据库。'));
    app.all('/api/staff/*', (c) => apiError(c, 503, 'database_unavailable', '工作人员服务暂不可用：未配置数据库。'));
    app.all('/api/search', (c) => apiError(c, 503, 'database_unavailable', '检索服务暂不可用：未配置数据库，请使用站内静态搜索。'));
    app.all('/api/error-reports', (c) => apiError(c, 503, 'database_unavailable', '数据错误报告暂不可用：未配置数据库。'));
    app.all('/api/subscriptions', (c) => apiError(c, 503, 'database_unavailable', '邮件订阅暂不可用：未配置数据库。'));
    const unavailable = (c: Context) =>
      c.render({
        view: 'message',
        section: 'complaints',
        title: '服务暂不可用',
        status: 503,
        heading: '服务暂不可用',
        paragraphs: ['在线投诉、查询和异议服务暂不可用：本站尚未配置数据库。公开的整改信息不受影响。'],
        links: [{ href: '/', label: '返回首页' }],
      });
    for (const prefix of ['/complaints/*', '/objections/*', '/staff/*', '/corrections/*']) app.all(prefix, unavailable);
    app.all('/follow/*', (c) =>
      c.render({
        view: 'message',
        section: 'follow',
        title: '邮件订阅暂不可用',
        status: 503,
        heading: '邮件订阅暂不可用',
        paragraphs: ['本站尚未配置数据库，暂不能用电子邮件订阅。可以订阅各页面的 Atom 动态。'],
        links: [{ href: '/', label: '返回首页' }],
      }),
    );
    app.all('/open311/*', (c) => c.json([{ code: 503, description: '服务暂不可用：未配置数据库' }], 503));
  }
  app.all('/api/*', (c) => apiError(c, 404, 'not_found', '没有这个接口。'));
  app.onError((error, c) => {
    // The database stayed locked longer than the client waits (functions/db.ts): nothing was
    // written, and the same request can simply be sent again.
    if (isBusy(error)) {
      console.error(`数据库繁忙：${c.req.method} ${c.req.path}`);
      c.header('Retry-After', '1');
      return apiError(c, 503, 'database_busy', '系统繁忙，请稍后重试。');
    }
    // The message may hold personal data from a request: log the kind of error only.
    console.error(`内部错误：${c.req.method} ${c.req.path}：${error.name}`);
    return apiError(c, 500, 'internal_error', '服务器内部错误，请稍后再试。');
  });
  return app;
}
