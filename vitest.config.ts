import { defineConfig } from 'vitest/config';

// Three kinds of test, run in this order by `npm test` (after `npm run build`):
// unit — domain rules and content, no build needed;
// integration — the API (Hono app) on a real libSQL file in a temporary folder;
// build — the built site in dist/client/ (files, open data, Pagefind index);
// workerd — the Worker bundle with the built site in workerd (wrangler dev), no database;
// e2e — the built site served by the Node server, driven in headless Chromium;
// fault — the Node server (the built dist/server/) killed mid-intake and restarted, and a locked database.
// server — the Node entry as a process: client addresses, redirects, file modes; and behind
//          Debian's nginx terminating TLS (no build needed).
export default defineConfig({
  test: {
    projects: [
      // Generous timeouts: PBKDF2 logins, 5 MB photos and the built site's server are CPU work, and CI
      // machines are shared. Nothing here asserts a duration.
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'build', include: ['tests/build/**/*.test.ts'] } },
      {
        test: { name: 'workerd', include: ['tests/workerd/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 120_000 },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'fault',
          include: ['tests/fault/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
