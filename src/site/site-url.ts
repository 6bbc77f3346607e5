/**
 * The public address of the site (SITE_URL), read in one place. Cite lines,
 * feed ids and links, snapshot manifests and astro.config.mjs's `site` all
 * use it, so a deployment sets it once.
 */

/** Where `npm start` serves the site when SITE_URL is not set: HOST and PORT, as functions/node.ts reads them. */
export function servedUrl(env: Record<string, string | undefined>): string {
  return `http://${env.HOST || '127.0.0.1'}:${env.PORT || '4321'}`;
}

/** SITE_URL without a trailing slash (`https://example.org`), or the address the site is served at locally. */
export function siteUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = env.SITE_URL?.trim() || servedUrl(env);
  const url = new URL(raw);
  return url.href.replace(/\/+$/, '');
}

/** An absolute URL on the site for a path (`/items/x/` → `https://example.org/items/x/`). */
export function absoluteUrl(path: string, env?: Record<string, string | undefined>): string {
  return siteUrl(env) + (path.startsWith('/') ? path : `/${path}`);
}
