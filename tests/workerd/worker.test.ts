/**
 * Smoke test of the production build: the site Astro builds with @astrojs/cloudflare
 * (`npm run build:worker`, into dist-worker/) — prerendered pages as static assets, the
 * on-demand routes and the Hono app (functions/runtime/worker.ts) in the Worker — run in
 * workerd by `wrangler dev`, offline and without a database.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let child: ChildProcess;
let base: string;
let output = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  // The Worker build is its own (a Worker module, not Node's): made here, from the same sources.
  execFileSync('npm', ['run', '--silent', 'build:worker'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Log level "log": the scheduled handler's console.log is read by a test below.
  child = spawn('node_modules/.bin/wrangler', ['dev', '--config', 'dist-worker/server/wrangler.json', '--port', String(port), '--ip', '127.0.0.1', '--log-level', 'log'], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // workerd is still starting
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('the Worker bundle in workerd', () => {
  it('serves the static site with the security headers from client/_headers', async () => {
    const res = await fetch(`${base}/items/wuwei-2020-07/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('污水管网建设和污水处理厂提标改造等整改工作进展缓慢');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers /api/health from the Hono app, with HSTS in production', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(await res.json()).toEqual({ status: 'ok', database: 'not_configured' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('answers the complaint API with a clear 503 when no database is configured', async () => {
    const res = await fetch(`${base}/api/complaints`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'database_unavailable', message: '投诉服务暂不可用：未配置数据库。' } });
  });

  it('renders the complaint pages in the site frame, saying plainly that the service is unavailable', async () => {
    const res = await fetch(`${base}/complaints/new/`);
    expect(res.status).toBe(503);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('服务暂不可用');
    expect(page).toContain('aria-current="page"');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('renders an on-demand Astro page in the Worker, with the security headers: the search page, as the bare form without a database', async () => {
    const res = await fetch(`${base}/search/?q=${encodeURIComponent('污水')}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('id="search-form"');
    expect(page).not.toContain('data-source="server"');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security') ?? '').toBe('');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('describes the API, with the region list read from the static assets', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { components: { schemas: { ComplaintInput: { properties: { region: { enum: string[] } } } } } };
    expect(doc.components.schemas.ComplaintInput.properties.region.enum).toContain('gansu-wuwei');
  });

  it('runs the Cron Trigger through the custom entry (src/worker.ts), which says why it sends nothing without a database', async () => {
    const config = JSON.parse(readFileSync('dist-worker/server/wrangler.json', 'utf8')) as { triggers?: { crons?: string[] }; send_email?: { name: string }[] };
    expect(config.triggers?.crons).toEqual(['* * * * *']);
    expect(config.send_email).toEqual([{ name: 'EMAIL' }]);
    // wrangler dev's way to fire a Worker's scheduled handler locally (it says so at start).
    const res = await fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`);
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!output.includes('发信：跳过（未配置数据库）') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('发信：跳过（未配置数据库）');
  });

  it('answers unknown API paths in the error format, and unknown pages with the 404 page', async () => {
    const api = await fetch(`${base}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const page = await fetch(`${base}/no-such-page/`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('未找到页面');
  });
});
