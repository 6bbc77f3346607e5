/**
 * Backs up the embedded database while the server runs:
 *   npm run db:backup                       → .data/backups/portal-<UTC time>.db
 *   npm run db:backup -- /path/to/copy.db
 * Restore: stop the server, copy the backup over .data/portal.db (remove any
 * portal.db-wal / -shm beside it), start again. Keep .data/secrets.json with
 * the backups: without its key the contact details cannot be decrypted.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backupDatabase } from '../functions/backup.ts';
import { DATA_DIR, openLocalDatabase, protectLocalData } from '../functions/local.ts';

// The database and its backups hold every complaint: files this command makes are for its user only.
process.umask(0o077);

if (process.env.DATABASE_URL && !process.env.DATABASE_URL.startsWith('file:')) {
  console.error('这个命令只备份本地数据库文件；Turso 请使用其时间点恢复（见 README 的“部署”一节）。');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = process.argv[2] ?? join(DATA_DIR, 'backups', `portal-${stamp}.db`);
mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
const db = await openLocalDatabase();
protectLocalData();
try {
  await backupDatabase(db.$client, target);
  console.log(`已备份到 ${target}（${(statSync(target).size / 1024).toFixed(0)} KB）。`);
} finally {
  db.$client.close();
}
