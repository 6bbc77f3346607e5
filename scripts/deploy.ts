/**
 * Deploys to Cloudflare Workers + Turso, in the order that keeps the live site
 * working: build (content check, site, Pagefind, headers) → bundle the Worker →
 * check the Worker's secrets are set → apply database migrations to Turso →
 * rebuild the content's search index there → only then upload the new Worker
 * and assets. Migrations are additive, so the old code keeps running on the
 * new schema until the upload completes; the index is replaced in one
 * transaction, so searches never see half of it.
 *
 *   npm run deploy                 everything (needs the environment below)
 *   npm run deploy -- --dry-run    build and bundle only; nothing is changed anywhere
 *
 * Environment: DATABASE_URL (libsql://…), DATABASE_AUTH_TOKEN — for the
 * migrations; CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) — for wrangler.
 * Worker secrets (set once with `npx wrangler secret put NAME`): see REQUIRED_SECRETS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REQUIRED_SECRETS = ['DATABASE_URL', 'DATABASE_AUTH_TOKEN', 'CONTACT_ENCRYPTION_KEY', 'CLIENT_HASH_SALT'];
const dryRun = process.argv.includes('--dry-run');
const bin = (name: string) => join('node_modules', '.bin', name);
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) => execFileSync(cmd, args, { stdio: 'inherit', env });

function step(text: string) {
  console.log(`\n== ${text}`);
}

step('1/5 构建站点（@astrojs/cloudflare：内容校验、页面、Pagefind 索引、安全头，输出到 dist-worker/）');
// Earlier open-data snapshots are carried forward from the deployed site (src/site/snapshots.ts).
run('npm', ['run', 'build:worker'], { ...process.env, SNAPSHOTS_FROM: process.env.SNAPSHOTS_FROM ?? process.env.SITE_URL });

// The Worker's configuration as the adapter wrote it from wrangler.toml.
const config = ['--config', 'dist-worker/server/wrangler.json'];
step('2/5 打包 Worker（wrangler deploy --dry-run）');
const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
run(bin('wrangler'), ['deploy', '--dry-run', ...config, '--outdir', outdir]);
const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.m?js$/.test(f));
const size = files.reduce((n, f) => n + statSync(join(outdir, f)).size, 0);
const gzipped = files.reduce((n, f) => n + gzipSync(readFileSync(join(outdir, f))).length, 0);
// Workers' limit is on the compressed upload: 3 MB on the free plan, 10 MB on paid plans.
console.log(`Worker 包大小：${(size / 1024).toFixed(0)} KB，gzip 后 ${(gzipped / 1024).toFixed(0)} KB（免费计划上限 3 MB，付费计划 10 MB；${outdir}）`);
if (gzipped > 3 * 1024 * 1024) {
  console.error('Worker 包超过免费计划的 3 MB 上限。');
  process.exit(1);
}

if (dryRun) {
  console.log('\n--dry-run：只构建和打包，未改动数据库和线上服务。');
  process.exit(0);
}

step('3/5 检查 Worker 密钥');
const listed = execFileSync(bin('wrangler'), ['secret', 'list', ...config, '--format', 'json'], { encoding: 'utf8' });
const names = new Set((JSON.parse(listed) as { name: string }[]).map((s) => s.name));
const missing = REQUIRED_SECRETS.filter((n) => !names.has(n));
if (missing.length) {
  console.error(`缺少 Worker 密钥：${missing.join('、')}。请先运行 npx wrangler secret put <名称>。`);
  process.exit(1);
}
// Mail is optional, but a Worker without these queues reporters' mail it never sends (README, Mail).
const mailMissing = ['SITE_URL', 'MAIL_FROM'].filter((n) => !names.has(n));
if (mailMissing.length) console.warn(`注意：未设置 ${mailMissing.join('、')}：${mailMissing.includes('SITE_URL') ? '不生成投诉人办理进展邮件' : '邮件留在发信队列中，不会发出'}。`);

step('4/5 数据库迁移与内容检索索引（Turso）');
if (!process.env.DATABASE_URL?.startsWith('libsql://') || !process.env.DATABASE_AUTH_TOKEN) {
  console.error('请设置 DATABASE_URL（libsql://…）和 DATABASE_AUTH_TOKEN，以便在上线新代码前应用迁移。');
  process.exit(1);
}
run(bin('tsx'), ['scripts/db-migrate.ts']);
run(bin('tsx'), ['scripts/search-index.ts']);

step('5/5 上线 Worker 与静态资源');
run(bin('wrangler'), ['deploy', ...config]);
console.log('\n部署完成。');
