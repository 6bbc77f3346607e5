/**
 * Writes <outDir>/client/_headers (dist/ by default, dist-worker/ for the Cloudflare build): the
 * security headers for static pages served by Cloudflare Workers static assets, from the same
 * policy the Hono app and the Node server send (functions/security-headers.ts).
 * `headersFile()` gives the text without writing it (tests/integration/security.test.ts).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy } from '../functions/security-headers.ts';

export { contentSecurityPolicy };

/** The text of client/_headers (dist/ and dist-worker/). */
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
  const file = join(process.argv[2] ?? 'dist', 'client', '_headers');
  writeFileSync(file, headersFile());
  console.log(`已写入 ${file}。`);
}
