/**
 * The security headers of every response, from one policy: the Hono app sends them
 * (functions/app.ts), the Node server adds them to static files and to what Astro renders
 * (functions/node.ts), and client/_headers of each build carries them for Cloudflare's static assets
 * (scripts/write-headers.ts).
 */

/**
 * Content-Security-Policy without 'unsafe-inline': the build emits no inline
 * script or style. 'wasm-unsafe-eval' lets Pagefind run its WebAssembly.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The Content-Security-Policy header value of the policy. */
export function contentSecurityPolicy(): string {
  return Object.entries(CONTENT_SECURITY_POLICY)
    .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
    .join('; ');
}

/** The headers as name–value pairs; production adds HSTS (local HTTP must not send it). */
export function securityHeaders(production: boolean): [string, string][] {
  return [
    ['Content-Security-Policy', contentSecurityPolicy()],
    ...(production ? [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'] as [string, string]] : []),
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Origin-Agent-Cluster', '?1'],
    ['X-DNS-Prefetch-Control', 'off'],
    ['X-Download-Options', 'noopen'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
    ['X-XSS-Protection', '0'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(self)'],
  ];
}

/**
 * The response with each of `headers` it does not set itself (a header a response sets, such as the
 * tracking page's Referrer-Policy, wins). A response with immutable headers (a fetched one) is
 * copied once first.
 */
export function withHeaders(response: Response, headers: readonly (readonly [string, string])[]): Response {
  let out = response;
  for (const [name, value] of headers) {
    if (out.headers.has(name)) continue;
    try {
      out.headers.set(name, value);
    } catch {
      out = new Response(out.body, out);
      out.headers.set(name, value);
    }
  }
  return out;
}
