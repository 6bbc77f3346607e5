/**
 * Hands a request to the portal's Hono app (functions/app.ts: JSON API, Open311 and the pages
 * still rendered there), from the catch-all routes in src/pages. `#runtime` is the runtime of
 * the adapter being built (astro.config.mjs): Node with the embedded database, or Workers.
 */
import type { APIContext } from 'astro';
import { portalRuntime } from '#runtime';

export async function toPortal(context: APIContext): Promise<Response> {
  const { app } = await portalRuntime();
  // The address the adapter read from the socket (Node) or from CF-Connecting-IP (Workers): the
  // Hono app decides from it, and TRUSTED_PROXIES, which client this is.
  return app.fetch(context.request, { peer: context.clientAddress });
}
