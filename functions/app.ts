/**
 * The Hono application: every API route and the headers of every response.
 * The same app runs in Node (functions/node.ts, serving the static build from
 * dist/) and, in production, on Cloudflare Workers with static assets.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { apiError } from './errors.ts';

export interface AppOptions {
  /** Production adds HSTS; local HTTP must not send it. */
  production: boolean;
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

  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  app.all('/api/*', (c) => apiError(c, 404, 'not_found', '没有这个接口。'));
  return app;
}
