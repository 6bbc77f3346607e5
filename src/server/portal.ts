/**
 * Hands a request to the portal's Hono app (functions/app.ts: JSON API, Open311 and the routes of
 * the complaint, objection and staff pages), from the catch-all routes in src/pages. `#runtime` is
 * the runtime of the adapter being built (astro.config.mjs): Node with the embedded database, or
 * Workers. A host that made its own app (functions/node.ts in tests) passes it in `locals.portal`.
 */
import type { APIContext, AstroGlobal } from 'astro';
import { portalRuntime } from '#runtime';
import type { PageSlot, PortalBindings } from '../../functions/render.ts';
import type { PortalPage } from '../views/pages.ts';

type Context = Pick<APIContext, 'request' | 'clientAddress' | 'locals'>;

async function appFor(context: Context) {
  return context.locals.portal ?? (await portalRuntime()).app;
}

/** The app's answer, as is: the JSON API and Open311 (src/pages/api, src/pages/open311). */
export async function toPortal(context: APIContext): Promise<Response> {
  const app = await appFor(context);
  // The address the adapter read from the socket (Node) or from CF-Connecting-IP (Workers): the
  // Hono app decides from it, and TRUSTED_PROXIES, which client this is.
  const bindings: PortalBindings = { peer: context.clientAddress };
  return app.fetch(context.request, bindings);
}

/**
 * For the page routes (src/pages/{complaints,objections,staff}/[...path].astro): the app answers
 * with a page to draw — its status and headers set on this page's response — or with a response
 * of its own (a redirect, a photo, a JSON answer to the form's script), returned as it is.
 */
export async function dispatchPage(Astro: AstroGlobal): Promise<Response | PortalPage> {
  const app = await appFor(Astro);
  const slot: PageSlot = {};
  const bindings: PortalBindings = { peer: Astro.clientAddress, pages: slot };
  const response = await app.fetch(Astro.request, bindings);
  const page = slot.page;
  if (!page) return response;
  Astro.response.status = response.status;
  for (const [name, value] of response.headers) {
    if (name === 'content-type' || name === 'content-length' || name === 'set-cookie') continue;
    Astro.response.headers.set(name, value);
  }
  for (const cookie of response.headers.getSetCookie()) Astro.response.headers.append('Set-Cookie', cookie);
  return page;
}
