/**
 * Every route rendered on demand must reach the Worker: Cloudflare serves static assets first and
 * answers the 404 page for anything else, unless wrangler.toml's run_worker_first names the path.
 * (A missing entry worked in Node and 404'd on Workers.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const onDemand = files('src/pages')
  .filter((f) => /\.(astro|ts)$/.test(f) && /export const prerender = false/.test(readFileSync(f, 'utf8')))
  .map((f) => `/${relative('src/pages', f)}`.replace(/\\/g, '/'));

describe('routes rendered on demand', () => {
  it('exist (the search page, and the catch-all routes of the Hono app)', () => {
    expect(onDemand).toEqual(expect.arrayContaining(['/search/index.astro', '/api/[...path].ts', '/staff/[...path].astro', '/complaints/[...path].astro', '/objections/[...path].astro', '/follow/[...path].astro']));
  });

  it('are all run by the Worker before static assets (wrangler.toml run_worker_first)', () => {
    const line = readFileSync('wrangler.toml', 'utf8').match(/^run_worker_first\s*=\s*(\[.*\])$/m);
    expect(line).not.toBeNull();
    const patterns = JSON.parse(line![1]!) as string[];
    for (const route of onDemand) {
      const top = `/${route.split('/')[1]}/`;
      expect(patterns, route).toContain(`${top}*`);
    }
  });
});
