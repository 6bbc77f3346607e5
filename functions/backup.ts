/**
 * Online backup of the embedded database: SQLite's `VACUUM INTO` writes a
 * consistent copy of the whole database (as of one transaction) while the
 * server keeps running, WAL included. Restoring is replacing the file while
 * the server is stopped. Turso keeps its own point-in-time history instead.
 */
import { chmodSync, existsSync } from 'node:fs';
import type { Client } from '@libsql/client';

/** Writes a consistent copy of the open database to `target` (which must not exist yet). */
export async function backupDatabase(client: Client, target: string): Promise<void> {
  if (existsSync(target)) throw new Error(`备份文件已存在：${target}`);
  await client.execute({ sql: 'VACUUM INTO ?', args: [target] });
  // A copy of every complaint: owner-only, whatever the umask of the caller.
  chmodSync(target, 0o600);
}
