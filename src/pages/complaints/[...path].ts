// Everything under /complaints/ not served by an Astro page is answered by the portal's Hono app.
import type { APIRoute } from 'astro';
import { toPortal } from '../../server/portal.ts';

export const prerender = false;
export const ALL: APIRoute = (context) => toPortal(context);
