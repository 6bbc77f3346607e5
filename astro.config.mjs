// @ts-check
import { defineConfig } from 'astro/config';

// The public site is fully static: every page is prerendered from content/ at
// build time. Dynamic parts (complaints, search API) are served by the Hono app
// in functions/, which also serves this build.
export default defineConfig({
  site: process.env.SITE_URL ?? 'http://127.0.0.1:4321',
  trailingSlash: 'always',
  build: {
    format: 'directory',
    // External files only: the Content-Security-Policy allows no inline style or script.
    inlineStylesheets: 'never',
  },
  vite: {
    build: { assetsInlineLimit: 0 },
  },
  devToolbar: { enabled: false },
});
