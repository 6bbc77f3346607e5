/**
 * Writes dist/_headers: the security headers for static pages served by
 * Cloudflare Workers static assets, taken from the same policy the Hono app
 * sends (functions/app.ts), so both outputs carry the same headers.
 * `headersFile()` gives the text without writing it (tests/integration/security.test.ts).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../functions/app.ts';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The Content-Security-Policy header value of the app's policy. */
export function contentSecurityPolicy(): string {
  return Object.entries(CONTENT_SECURITY_POLICY)
    .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
    .join('; ');
}

/** The text of dist/_headers. */
export function headersFile(): string {
  return `/*
  Content-Security-Policy: ${contentSecurityPolicy()}
  Strict-Transport-Security: max-age=63072000; includeSubDomains
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: strict-origin-when-cross-origin
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(self)

/_astro/*
  Cache-Control: public, max-age=31536000, immutable
`;
}

// Run as a script (the last step of `npm run build`), not imported: write the file.
// Real paths are compared, so a symlinked checkout is still recognised.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  writeFileSync('dist/_headers', headersFile());
  console.log('已写入 dist/_headers。');
}
