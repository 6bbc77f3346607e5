/** `npm run db:backup`'s core: a consistent copy of a live database that opens, migrated, with every row. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../functions/backup.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import { postJson, testApi, validComplaint, type TestApi } from '../support/api.ts';

let api: TestApi | undefined;
afterEach(() => api?.close());

describe('database backup', () => {
  it('copies every committed complaint while the database stays open, and restores by opening the copy', async () => {
    api = await testApi();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(api.app, '/api/complaints', validComplaint({ description: `第 ${i + 1} 份测试投诉：夜间烟囱冒黑烟，气味刺鼻。` }), { 'Idempotency-Key': `backup-test-${i}` });
      expect(res.status).toBe(201);
      codes.push(((await res.json()) as { trackingCode: string }).trackingCode);
    }
    const target = join(api.dir, 'backups', 'copy.db');
    mkdirSync(join(api.dir, 'backups'));
    await backupDatabase(api.db.$client, target);
    expect(existsSync(target)).toBe(true);

    // The copy is a whole database: migrations are already applied, rows are there.
    const restored = await openLocalDatabase(`file:${target}`);
    const { rows } = await restored.$client.execute('SELECT tracking_code FROM complaints ORDER BY tracking_code');
    expect(rows.map((r) => r.tracking_code).sort()).toEqual([...codes].sort());
    restored.$client.close();
    await expect(backupDatabase(api.db.$client, target)).rejects.toThrow(/已存在/);
  });

  it('never overwrites an existing file', async () => {
    api = await testApi();
    const client = createClient({ url: `file:${join(api.dir, 'other.db')}` });
    await client.execute('CREATE TABLE t (x)');
    client.close();
    await expect(backupDatabase(api.db.$client, join(api.dir, 'other.db'))).rejects.toThrow(/已存在/);
  });
});
