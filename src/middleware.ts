/**
 * The security headers on everything Astro renders on demand (functions/security-headers.ts, the
 * one policy): on Workers nothing else adds them to a Worker's responses (client/_headers covers
 * static assets only); in Node the server sets them before handing over, and these match. A
 * header a response sets itself (the tracking page's Referrer-Policy) is kept.
 */
import { defineMiddleware } from 'astro:middleware';
import { securityHeaders, withHeaders } from '../functions/security-headers.ts';

export const onRequest = defineMiddleware(async (context, next) =>
  // HSTS only over https: never on a local http server, always on Workers.
  withHeaders(await next(), securityHeaders(context.url.protocol === 'https:')),
);
