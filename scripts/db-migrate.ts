/**
 * Applies the committed migrations (db/migrations/) to DATABASE_URL — the
 * embedded file by default, or Turso with DATABASE_AUTH_TOKEN in production.
 * `npm start` runs the same step itself; run this before deploying new code.
 */
import { openLocalDatabase, protectLocalData } from '../functions/local.ts';

// The database and its backups hold every complaint: files this command makes are for its user only.
process.umask(0o077);

const db = await openLocalDatabase();
protectLocalData();
const { rows } = await db.$client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
console.log(`数据库已是最新结构（已应用迁移 ${String(rows[0]!.n)} 个）。`);
db.$client.close();
