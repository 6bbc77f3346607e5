/**
 * Pages: the Hono app decides, Astro draws. A route that answers with a page calls
 * `c.render(page)` with a view of src/views/pages.ts; the renderer hands the page to the Astro
 * route that dispatched the request (src/server/portal.ts), through the request's bindings, and
 * answers with an empty body that carries the status and every header the app set (cookies,
 * Cache-Control, Retry-After). That route draws the page in the site's layout
 * (src/views/PortalPage.astro). There is no other way to make HTML here: a request that did not
 * come through an Astro route cannot get a page.
 */
import { createMiddleware } from 'hono/factory';
import type { PortalPage } from '../src/views/pages.ts';

declare module 'hono' {
  interface ContextRenderer {
    (page: PortalPage): Response | Promise<Response>;
  }
}

/** Where the Astro route receives the page to draw. */
export interface PageSlot {
  page?: PortalPage;
}

/** The bindings an Astro route passes with each request (functions/runtime/*, src/server/portal.ts). */
export interface PortalBindings {
  /** The address the adapter read from the socket (Node) or CF-Connecting-IP (Workers). */
  peer?: string;
  /** Present when an Astro route dispatched the request and can draw pages. */
  pages?: PageSlot;
}

export class NoPageHostError extends Error {
  constructor(path: string) {
    super(`${path}：页面由站点的 Astro 路由绘制（src/pages），本请求未经由它们。`);
    this.name = 'NoPageHostError';
  }
}

export const pageRenderer = createMiddleware(async (c, next) => {
  c.setRenderer((page) => {
    const slot = (c.env as PortalBindings | undefined)?.pages;
    if (!slot) throw new NoPageHostError(c.req.path);
    slot.page = page;
    // Pages show database state or a form with what was typed: never kept in a shared cache.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    return c.body(null, page.status ?? 200);
  });
  await next();
});
