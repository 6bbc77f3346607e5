// @ts-check
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import node from '@astrojs/node';
import { astroCacheDir } from './scripts/astro-cache-dir.mjs';

// Every page is prerendered from content/ at build time, except the routes that show what is in
// the database (`prerender = false`): those render on demand through an adapter —
// @astrojs/node for the embedded default (`npm start`, served by functions/node.ts) or
// @astrojs/cloudflare for production on Workers (ASTRO_ADAPTER=cloudflare, `npm run deploy`).
// The runtime behind them is `#runtime` (package.json "imports": Node's or the Worker's).
const target = process.env.ASTRO_ADAPTER === 'cloudflare' ? 'cloudflare' : 'node';

export default defineConfig({
  // SITE_URL, or where `npm start` serves the site (HOST, PORT): src/site/site-url.ts reads it the same way.
  site: process.env.SITE_URL || `http://${process.env.HOST || '127.0.0.1'}:${process.env.PORT || '4321'}`,
  // The API and Open311 have paths without a trailing slash (/api/health, /open311/v2/services.json).
  // Pages are built as /path/index.html; /path is sent to /path/ by functions/node.ts in Node and by
  // html_handling = "force-trailing-slash" on Workers.
  trailingSlash: 'ignore',
  // The two builds differ (a Node module vs a Worker): each has its own folder.
  outDir: target === 'cloudflare' ? 'dist-worker' : 'dist',
  adapter:
    target === 'cloudflare'
      ? // Prerendering reads content/ from disk: in Node, not in workerd.
        // No Astro sessions and no image transforms are used: no SESSION or IMAGES binding to provision.
        cloudflare({ prerenderEnvironment: 'node', imageService: 'passthrough' })
      : // functions/node.ts serves the static files and hands everything else to the adapter.
        node({ mode: 'middleware' }),
  // The portal keeps its own sessions (staff, in the database); Astro's are not used.
  session: false,
  // Origins are checked by the portal itself (functions/client/proxy.ts, SITE_URL), which knows the
  // scheme and host a client used behind a trusted reverse proxy; Astro's own check compares with the
  // URL the server was reached at (http:// behind a TLS-terminating proxy) and refuses staff forms.
  security: { checkOrigin: false },
  build: {
    format: 'directory',
    // External files only: the Content-Security-Policy allows no inline style or script.
    inlineStylesheets: 'never',
  },
  vite: {
    // The output folder is kept between builds, so a page kept from the previous build is left where it
    // is instead of being copied back from the cache (≈ 200,000 files at 50,000 items); what the build no
    // longer makes is removed after it by scripts/astro-build.ts, which every build script runs.
    build: { assetsInlineLimit: 0, emptyOutDir: false },
  },
  devToolbar: { enabled: false },
  // Incremental builds (every build; `npm run publish:site`): a page whose getStaticPaths() entry carries
  // a cacheKey (src/site/page-keys.ts) is kept from the previous build when its key and its code are
  // unchanged. The cache is one per adapter and content folder (scripts/astro-cache-dir.mjs).
  // build.concurrency must stay 1: Astro skips nothing above it. `astro build --force` renders
  // everything (and fills the cache again).
  cacheDir: astroCacheDir(target),
  experimental: { incrementalBuild: true },
});
