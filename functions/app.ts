/**
 * The Hono application: every API route and the headers of every response.
 * The same app runs in Node (functions/node.ts, serving the static build from
 * dist/) and, in production, on Cloudflare Workers with static assets.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { complaintRoutes, type ComplaintDeps } from './complaints.ts';
import { apiError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { staffRoutes } from './staff.ts';

export interface AppOptions {
  /** Production adds HSTS; local HTTP must not send it. */
  production: boolean;
  /** Database-backed features; absent when no database is configured (they answer 503). */
  complaints?: ComplaintDeps | undefined;
  /** Region ids for the API description when no database is configured. */
  regions?: readonly string[];
}

/**
 * Content-Security-Policy without 'unsafe-inline': the build emits no inline
 * script or style. 'wasm-unsafe-eval' lets Pagefind run its WebAssembly.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function createApp(options: AppOptions) {
  const app = new Hono();
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

  app.get('/api/health', (c) => c.json({ status: 'ok', database: options.complaints ? 'configured' : 'not_configured' }));
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(options.complaints?.regions ?? options.regions ?? [])));
  if (options.complaints) {
    app.route('/api/complaints', complaintRoutes(options.complaints));
    app.route('/api/staff', staffRoutes({ db: options.complaints.db, production: options.production, ...(options.complaints.now ? { now: options.complaints.now } : {}) }));
  } else {
    app.all('/api/complaints/*', (c) => apiError(c, 503, 'database_unavailable', '投诉服务暂不可用：未配置数据库。'));
    app.all('/api/complaints', (c) => apiError(c, 503, 'database_unavailable', '投诉服务暂不可用：未配置数据库。'));
    app.all('/api/staff/*', (c) => apiError(c, 503, 'database_unavailable', '工作人员服务暂不可用：未配置数据库。'));
  }
  app.all('/api/*', (c) => apiError(c, 404, 'not_found', '没有这个接口。'));
  app.onError((error, c) => {
    // The message may hold personal data from a request: log the kind of error only.
    console.error(`内部错误：${c.req.method} ${c.req.path}：${error.name}`);
    return apiError(c, 500, 'internal_error', '服务器内部错误，请稍后再试。');
  });
  return app;
}
