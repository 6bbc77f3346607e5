/**
 * The security headers on everything Astro renders on demand (functions/security-headers.ts, the
 * one policy): on Workers nothing else adds them to a Worker's responses (client/_headers covers
 * static assets only); in Node the server sets them before handing over, and these match. A
 * header a response sets itself (the tracking page's Referrer-Policy) is kept.
 */
import { defineMiddleware } from 'astro:middleware';
import { securityHeaders } from '../functions/security-headers.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  const response = await next();
  // HSTS only over https: never on a local http server, always on Workers.
  const headers = securityHeaders(context.url.protocol === 'https:');
  let out = response;
  for (const [name, value] of headers) {
    if (out.headers.has(name)) continue;
    try {
      out.headers.set(name, value);
    } catch {
      // A response with immutable headers (e.g. fetched): copy it once, then set.
      out = new Response(out.body, out);
      out.headers.set(name, value);
    }
  }
  return out;
});
