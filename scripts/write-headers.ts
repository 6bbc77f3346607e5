/**
 * Writes dist/_headers: the security headers for static pages served by
 * Cloudflare Workers static assets, taken from the same policy the Hono app
 * sends (functions/app.ts), so both outputs carry the same headers.
 */
import { writeFileSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY } from '../functions/app.ts';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const csp = Object.entries(CONTENT_SECURITY_POLICY)
  .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
  .join('; ');

writeFileSync(
  'dist/_headers',
  `/*
  Content-Security-Policy: ${csp}
  Strict-Transport-Security: max-age=63072000; includeSubDomains
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: strict-origin-when-cross-origin
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(self)

/_astro/*
  Cache-Control: public, max-age=31536000, immutable
`,
);
console.log('已写入 dist/_headers。');
