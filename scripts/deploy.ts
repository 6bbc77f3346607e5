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
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REQUIRED_SECRETS = ['DATABASE_URL', 'DATABASE_AUTH_TOKEN', 'CONTACT_ENCRYPTION_KEY', 'CLIENT_HASH_SALT'];
const dryRun = process.argv.includes('--dry-run');
const bin = (name: string) => join('node_modules', '.bin', name);
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) => execFileSync(cmd, args, { stdio: 'inherit', env });

function step(text: string) {
  console.log(`\n== ${text}`);
}

step('1/5 构建站点（内容校验、页面、Pagefind 索引、安全头）');
// Earlier open-data snapshots are carried forward from the deployed site (src/site/snapshots.ts).
run('npm', ['run', 'build'], { ...process.env, SNAPSHOTS_FROM: process.env.SNAPSHOTS_FROM ?? process.env.SITE_URL });

step('2/5 打包 Worker（wrangler deploy --dry-run）');
const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', outdir]);
const size = readdirSync(outdir).filter((f) => f.endsWith('.js')).reduce((n, f) => n + statSync(join(outdir, f)).size, 0);
console.log(`Worker 包大小：${(size / 1024).toFixed(0)} KB（${outdir}）`);

if (dryRun) {
  console.log('\n--dry-run：只构建和打包，未改动数据库和线上服务。');
  process.exit(0);
}

step('3/5 检查 Worker 密钥');
const listed = execFileSync(bin('wrangler'), ['secret', 'list', '--format', 'json'], { encoding: 'utf8' });
const names = new Set((JSON.parse(listed) as { name: string }[]).map((s) => s.name));
const missing = REQUIRED_SECRETS.filter((n) => !names.has(n));
if (missing.length) {
  console.error(`缺少 Worker 密钥：${missing.join('、')}。请先运行 npx wrangler secret put <名称>。`);
  process.exit(1);
}

step('4/5 数据库迁移与内容检索索引（Turso）');
if (!process.env.DATABASE_URL?.startsWith('libsql://') || !process.env.DATABASE_AUTH_TOKEN) {
  console.error('请设置 DATABASE_URL（libsql://…）和 DATABASE_AUTH_TOKEN，以便在上线新代码前应用迁移。');
  process.exit(1);
}
run(bin('tsx'), ['scripts/db-migrate.ts']);
run(bin('tsx'), ['scripts/search-index.ts']);

step('5/5 上线 Worker 与静态资源');
run(bin('wrangler'), ['deploy']);
console.log('\n部署完成。');
