/**
 * Local and self-hosted entry: one Node process serving the built site. `npm start` builds
 * first, then runs this.
 *
 * Static files (Astro's client output, dist/client/) are served here, compressed and with the
 * security headers; every other request goes to the server Astro built with @astrojs/node
 * (dist/server/entry.mjs): the pages rendered on demand, and the catch-all routes that hand
 * the JSON API, Open311 and the complaint and staff pages to the Hono app (functions/app.ts,
 * through functions/runtime/node.ts).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serve, type HttpBindings } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { directoryRedirect } from './paths.ts';
import { CLIENT_DIR, portalRuntime } from './runtime/node.ts';
import { securityHeaders } from './security-headers.ts';

const port = Number(process.env.PORT ?? 4321);
const hostname = process.env.HOST ?? '127.0.0.1';
const production = process.env.NODE_ENV === 'production';
const SERVER_ENTRY = process.env.ASTRO_SERVER_ENTRY ?? 'dist/server/entry.mjs';

// The database, secrets and settings are checked now, not at the first request: a broken
// setting stops the server at once. The Astro server bundle shares this runtime (one per process).
await portalRuntime();

// The adapter's handler, without its own server (mode 'middleware').
process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const { handler: astro } = (await import(pathToFileURL(resolve(SERVER_ENTRY)).href)) as {
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

const headers = securityHeaders(production);
const app = new Hono<{ Bindings: HttpBindings }>();

// The security headers on what this server answers itself (static files, redirects); what Astro
// writes to the socket gets them below, before it is handed over.
app.use('*', async (c, next) => {
  await next();
  if (c.res.headers.has('x-hono-already-sent')) return;
  for (const [name, value] of headers) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
});

// Pages live at /path/ (Astro's directory format): send /path to /path/, on this site only.
app.use('*', async (c, next) => {
  const path = c.req.path;
  if ((c.req.method === 'GET' || c.req.method === 'HEAD') && !path.startsWith('/api/') && !path.startsWith('/open311/') && !path.endsWith('/') && !/\.[^/]+$/.test(path)) {
    return c.redirect(directoryRedirect(c.req.url), 301);
  }
  return next();
});

// Static files: compressed (Cloudflare does this itself in production); hashed assets cached for
// good. _headers is configuration for Cloudflare, not a file to serve.
const statics = new Hono();
statics.use('/_astro/*', async (c, next) => {
  await next();
  if (c.res.ok) c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
});
statics.get('/_headers', (c) => c.notFound());
statics.use('*', compress());
statics.use('*', serveStatic({ root: CLIENT_DIR }));

app.all('*', async (c) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const file = await statics.fetch(c.req.raw);
    if (file.status !== 404) return file;
  }
  // Everything else is Astro's, written straight to the socket. The security headers go on
  // first; a response that sets one itself (e.g. the tracking page's Referrer-Policy) wins.
  // The dynamic responses are not compressed: staff pages carry CSRF tokens beside reflected input (BREACH).
  const { incoming, outgoing } = c.env;
  for (const [name, value] of headers) outgoing.setHeader(name, value);
  await astro(incoming, outgoing);
  return RESPONSE_ALREADY_SENT;
});

serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`督察整改公开平台已启动：http://${info.address}:${info.port}/`);
});
