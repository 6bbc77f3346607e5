/**
 * Cloudflare Workers entry: the same Hono app as in Node, on Turso. Static
 * pages are served by Workers static assets (see wrangler.toml); this code
 * runs for the dynamic paths (DYNAMIC_PREFIXES in app.ts). Bindings come from the environment of each request.
 */
import { createApp } from './app.ts';
import { importContactKey } from './crypto.ts';
import { openDatabase } from './db.ts';
import { cachedShells } from './pages/shell.ts';
import { r2PhotoStore } from './photo-store.ts';
import type { FacetLabels } from '../src/search/index-store.ts';
import type { Reference } from '../src/site/reference.ts';

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
}

type App = ReturnType<typeof createApp>;
let app: Promise<App> | undefined;

/** A JSON file of the built site (made from the content it was built from), read once per isolate. */
async function builtData<T>(env: Env, name: string): Promise<T> {
  const res = await env.ASSETS.fetch(`https://assets.invalid/data/${name}`);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function build(env: Env): Promise<App> {
  // Regions, units and notice windows; names of search facet values.
  const [ref, searchLabels] = await Promise.all([builtData<Reference>(env, 'reference.json'), builtData<FacetLabels>(env, 'search-labels.json')]);
  const configured = env.DATABASE_URL && env.CONTACT_ENCRYPTION_KEY && env.CLIENT_HASH_SALT;
  return createApp({
    production: true,
    siteUrl: env.SITE_URL || undefined,
    regions: ref.regions.map((r) => r.id),
    searchLabels,
    open311Keys: (env.OPEN311_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    shells: cachedShells(async (section) => {
      const res = await env.ASSETS.fetch(`https://assets.invalid/shells/${section}/`);
      if (!res.ok) throw new Error(`shells/${section}: HTTP ${res.status}`);
      return res.text();
    }),
    complaints: configured
      ? {
          db: openDatabase(env.DATABASE_URL!, env.DATABASE_AUTH_TOKEN),
          contactKey: await importContactKey(env.CONTACT_ENCRYPTION_KEY!),
          clientSalt: env.CLIENT_HASH_SALT!,
          reference: ref,
          photos: env.PHOTOS ? r2PhotoStore(env.PHOTOS) : undefined,
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
