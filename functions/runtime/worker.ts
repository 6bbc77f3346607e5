/**
 * The portal's runtime on Cloudflare Workers (production): the same Hono app on Turso, with the
 * built site's reference data and page frames read from the static assets binding. Astro's
 * Cloudflare adapter runs it from the catch-all routes of src/pages (src/server/portal.ts).
 * Bindings and secrets come from `cloudflare:workers` (wrangler.toml lists them).
 */
import { env as bindings } from 'cloudflare:workers';
import { createApp } from '../app.ts';
import { importContactKey } from '../crypto.ts';
import { openDatabase } from '../db.ts';
import { cachedShells } from '../pages/shell.ts';
import { r2PhotoStore } from '../photo-store.ts';
import type { FacetLabels } from '../../src/search/index-store.ts';
import type { Reference } from '../../src/site/reference.ts';
import type { PortalRuntime } from './types.ts';
import { configureZodLocale } from '../../src/model/zod-locale.ts';

// Validation messages in Chinese. The Worker loads no content (whose loader also sets this), so
// without this call zod's own messages would reach the public in English.
configureZodLocale();

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

/** A JSON file of the built site (made from the content it was built from), read once per isolate. */
async function builtData<T>(env: Env, name: string): Promise<T> {
  const res = await env.ASSETS.fetch(`https://assets.invalid/data/${name}`);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function create(env: Env): Promise<PortalRuntime> {
  // Regions, units and notice windows; names of search facet values.
  const [ref, searchLabels] = await Promise.all([builtData<Reference>(env, 'reference.json'), builtData<FacetLabels>(env, 'search-labels.json')]);
  const configured = env.DATABASE_URL && env.CONTACT_ENCRYPTION_KEY && env.CLIENT_HASH_SALT;
  const db = configured ? openDatabase(env.DATABASE_URL!, env.DATABASE_AUTH_TOKEN) : undefined;
  const app = createApp({
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
    complaints: db
      ? {
          db,
          contactKey: await importContactKey(env.CONTACT_ENCRYPTION_KEY!),
          clientSalt: env.CLIENT_HASH_SALT!,
          reference: ref,
          photos: env.PHOTOS ? r2PhotoStore(env.PHOTOS) : undefined,
          // Cloudflare's CF-Connecting-IP, as Astro's adapter reads it (src/server/portal.ts); only ever hashed.
          clientAddress: (c) => (c.env as { peer?: string } | undefined)?.peer ?? 'unknown',
        }
      : undefined,
  });
  return { app, db, searchLabels };
}

let runtime: Promise<PortalRuntime> | undefined;

/** The isolate's runtime, created on first use (a failure is retried on the next request). */
export function portalRuntime(): Promise<PortalRuntime> {
  runtime ??= create(bindings as unknown as Env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}
