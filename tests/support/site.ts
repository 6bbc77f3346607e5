/**
 * Pages as users get them: the site Astro built (dist/server/entry.mjs, @astrojs/node) in front of a
 * test's own Hono app, over real HTTP on a local port. The app decides (routes, sessions, rules) and
 * Astro draws each page in the site's layout (functions/render.ts, src/views/): a page request that
 * did not go through Astro could not get a page at all.
 *
 * `throughSite(app)` returns the app with `request` sending page paths (/complaints/, /objections/,
 * /staff/, /corrections/, /follow/) through the built site; the API and Open311 still go to the app directly. Needs a build
 * (`npm run build`; `npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp as createAppNow } from '../../functions/app.ts';

type App = ReturnType<typeof createAppNow>;
type Handler = (req: IncomingMessage, res: ServerResponse, next: undefined, locals: { portal: App }) => Promise<void>;

const ENTRY = resolve('dist/server/entry.mjs');
const PAGE_PATHS = /^\/(complaints|objections|staff|corrections|follow)(\/|$)/;

let handler: Promise<Handler> | undefined;
function astroHandler(): Promise<Handler> {
  if (!existsSync(ENTRY)) throw new Error('页面测试需要先构建站点：npm run build');
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  handler ??= import(pathToFileURL(ENTRY).href).then((m: { handler: Handler }) => m.handler);
  return handler;
}

const servers = new Map<App, Promise<{ server: Server; port: number }>>();
/** The app behind each proxy throughSite made. */
const targets = new WeakMap<App, App>();

/** A local server drawing this app's pages (one per app, on a free port; it does not keep the process alive). */
function siteFor(app: App) {
  let started = servers.get(app);
  if (!started) {
    started = astroHandler().then(
      (astro) =>
        new Promise((done) => {
          const server = createServer((req, res) => {
            astro(req, res, undefined, { portal: app }).catch(() => {
              if (!res.headersSent) res.writeHead(500);
              res.end();
            });
          });
          server.listen(0, '127.0.0.1', () => {
            server.unref();
            done({ server, port: (server.address() as AddressInfo).port });
          });
        }),
    );
    servers.set(app, started);
  }
  return started;
}

/** Sends a request as a browser would (no redirects followed), keeping the Host the test named. */
async function overHttp(port: number, input: Request): Promise<Response> {
  const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
  const url = new URL(input.url);
  const headers: Record<string, string | string[]> = {};
  input.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  headers.host = url.host;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: input.method, path: url.pathname + url.search, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304 || input.method === 'HEAD';
        done(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: out }));
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Stops the local server drawing this app's pages, if one was started. */
export async function closeSite(app: App): Promise<void> {
  const target = targets.get(app) ?? app;
  const started = servers.get(target);
  if (!started) return;
  servers.delete(target);
  const { server } = await started;
  await new Promise((done) => server.close(done));
}

/** The app, with its pages drawn by the built site. */
export function throughSite<T extends App>(app: T): T {
  const direct = app.request.bind(app);
  const request = async (input: string | URL | Request, init?: RequestInit, env?: unknown, ctx?: unknown): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    if (!PAGE_PATHS.test(new URL(req.url).pathname)) return direct(req, undefined, env as never, ctx as never);
    const { port } = await siteFor(app);
    return overHttp(port, req);
  };
  const proxy = new Proxy(app, { get: (target, key, receiver) => (key === 'request' ? request : Reflect.get(target, key, receiver)) });
  targets.set(proxy, app);
  return proxy;
}

/** createApp, with its pages drawn by the built site (see throughSite). */
export function createSiteApp(options: Parameters<typeof createAppNow>[0]): App {
  return throughSite(createAppNow(options));
}
