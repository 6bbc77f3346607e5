/**
 * Cloudflare Workers entry: the same Hono app as in Node, on Turso. Static
 * pages are served by Workers static assets (see wrangler.toml); this code
 * runs for /api/*. Bindings come from the environment of each request.
 */
import { createApp } from './app.ts';
import { importContactKey } from './crypto.ts';
import { openDatabase } from './db.ts';

interface Env {
  ASSETS: { fetch: (input: Request | string) => Promise<Response> };
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  CONTACT_ENCRYPTION_KEY?: string;
  CLIENT_HASH_SALT?: string;
}

type App = ReturnType<typeof createApp>;
let app: Promise<App> | undefined;

/** Region ids from the built site's open data, read once per isolate. */
async function regions(env: Env): Promise<string[]> {
  const res = await env.ASSETS.fetch('https://assets.invalid/data/regions.json');
  if (!res.ok) throw new Error(`regions.json: HTTP ${res.status}`);
  return ((await res.json()) as { rows: { id: string }[] }).rows.map((r) => r.id);
}

async function build(env: Env): Promise<App> {
  const regionIds = await regions(env);
  const configured = env.DATABASE_URL && env.CONTACT_ENCRYPTION_KEY && env.CLIENT_HASH_SALT;
  return createApp({
    production: true,
    regions: regionIds,
    complaints: configured
      ? {
          db: openDatabase(env.DATABASE_URL!, env.DATABASE_AUTH_TOKEN),
          contactKey: await importContactKey(env.CONTACT_ENCRYPTION_KEY!),
          clientSalt: env.CLIENT_HASH_SALT!,
          regions: regionIds,
          // Cloudflare puts the client's address in this header; it is only ever hashed.
          clientAddress: (c) => c.req.header('CF-Connecting-IP') ?? 'unknown',
        }
      : undefined,
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    app ??= build(env).catch((error: unknown) => {
      app = undefined; // try again on the next request
      throw error;
    });
    return (await app).fetch(request, env, ctx as never);
  },
};
