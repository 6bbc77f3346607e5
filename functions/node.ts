/**
 * Local and self-hosted entry: one Node process serving the built site. `npm start` builds
 * first, then runs this.
 *
 * The JSON API and Open311 go to the Hono app (functions/app.ts, through functions/runtime/node.ts).
 * Pages rendered on demand (DYNAMIC_PREFIXES: the complaint, objection, staff, follow, correction
 * and search pages) go to the server Astro built with @astrojs/node (dist/server/entry.mjs), which
 * asks the same app what to draw. Everything else is a static file of Astro's client output
 * (dist/client/), served here compressed, or the 404 page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { DYNAMIC_PREFIXES, isApiPath } from './app.ts';
import { directoryRedirect } from './paths.ts';
import { CLIENT_DIR, portalRuntime } from './runtime/node.ts';
import { securityHeaders, withHeaders } from './security-headers.ts';

const port = Number(process.env.PORT ?? 4321);
const hostname = process.env.HOST ?? '127.0.0.1';
const production = process.env.NODE_ENV === 'production';
const SERVER_ENTRY = process.env.ASTRO_SERVER_ENTRY ?? 'dist/server/entry.mjs';

// The database, secrets and settings are checked now, not at the first request: a broken
// setting stops the server at once. The Astro server bundle shares this runtime (one per process).
const { app: portal } = await portalRuntime();

// The adapter's handler, without its own server (mode 'middleware').
process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const { handler: astroHandler } = (await import(pathToFileURL(resolve(SERVER_ENTRY)).href)) as {
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

const headers = securityHeaders(production);

/**
 * Astro answers, written straight to the socket. The security headers go on first; a response
 * that sets one itself (e.g. the tracking page's Referrer-Policy) wins. Not compressed: staff
 * pages carry CSRF tokens beside reflected input (BREACH).
 */
function astro(req: IncomingMessage, res: ServerResponse) {
  for (const [name, value] of headers) res.setHeader(name, value);
  return astroHandler(req, res);
}

/**
 * The JSON API and Open311 go straight to the Hono app: they need nothing of Astro, whose catch-all
 * endpoints (src/pages/api, src/pages/open311) hand them over unchanged on Workers and in
 * `astro dev`. Here that would cost every request the adapter's pipeline and a dynamic import of
 * the route (through the loader hooks `tsx` installs) — a third of the CPU an intake request took.
 * The peer is the socket's, as Astro's `clientAddress` is; the same security headers go on.
 */
const serveApi = getRequestListener(async (request, env) =>
  withHeaders(await portal.fetch(request, { peer: env.incoming.socket.remoteAddress ?? '' }), headers),
);

// Static files: compressed (Cloudflare does this itself in production), hashed assets cached for
// good, /path sent to /path/ (Astro's directory format); _headers is configuration for
// Cloudflare, not a file. A path with no file gets Astro's 404 page.
const statics = new Hono<{ Bindings: HttpBindings }>();
statics.use('*', async (c, next) => {
  await next();
  if (c.res.headers.has('x-hono-already-sent')) return;
  for (const [name, value] of headers) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
});
statics.get('/_headers', async (c) => {
  await astro(c.env.incoming, c.env.outgoing);
  return RESPONSE_ALREADY_SENT;
});
statics.use('*', async (c, next) => {
  const path = c.req.path;
  if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !path.endsWith('/') && !/\.[^/]+$/.test(path)) return c.redirect(directoryRedirect(c.req.url), 301);
  return next();
});
statics.use('/_astro/*', async (c, next) => {
  await next();
  if (c.res.ok) c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
});
statics.use('*', compress());
statics.use('*', serveStatic({ root: CLIENT_DIR }));
statics.all('*', async (c) => {
  await astro(c.env.incoming, c.env.outgoing);
  return RESPONSE_ALREADY_SENT;
});
const serveStatics = getRequestListener(statics.fetch);

const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0]!;

/** Whether Astro renders the path on demand; a page path without its trailing slash is first redirected (below). */
function isDynamic(path: string, method: string | undefined): boolean {
  if (!DYNAMIC_PREFIXES.some((prefix) => path.startsWith(prefix))) return false;
  const redirected = (method === 'GET' || method === 'HEAD') && !path.endsWith('/') && !/\.[^/]+$/.test(path);
  return !redirected;
}

const server = createServer((req, res) => {
  // A client that goes away mid-request (a closed tab, a navigation) must cost its own request
  // only: an 'error' event nobody listens to would end the process.
  req.on('error', () => {});
  res.on('error', () => {});
  const path = pathOf(req);
  if (isApiPath(path)) {
    void serveApi(req, res);
    return;
  }
  // Dynamic pages are Astro's from the first byte: their bodies (forms, photos) are read by
  // Astro's Node adapter alone.
  if (isDynamic(path, req.method)) {
    astro(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  void serveStatics(req, res);
});
server.listen(port, hostname, () => {
  console.log(`督察整改公开平台已启动：http://${hostname}:${port}/`);
});
