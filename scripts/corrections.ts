/**
 * Before a build: copies the corrections decided so far (the public corrections log's reports that
 * ended in a correction) from the portal's database into CORRECTIONS_FILE (src/site/corrections.ts),
 * so that each corrected page says “本页已更正 N 处”.
 *
 * The database is DATABASE_URL (Turso with DATABASE_AUTH_TOKEN, as `npm run deploy` has it) or the
 * embedded file. It is only read: a file that does not exist is not created, and a database not yet
 * migrated (a first deploy builds before it migrates) has no corrections. Then the file lists none.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../functions/db.ts';
import { DATABASE_URL } from '../functions/local.ts';
import { publicCorrections } from '../functions/error-reports.ts';
import { correctionsFile, type PageCorrection } from '../src/site/corrections.ts';

const url = DATABASE_URL;
const out = correctionsFile();

async function read(): Promise<PageCorrection[]> {
  if (url.startsWith('file:') && !existsSync(url.slice('file:'.length))) return [];
  const db = openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
  try {
    const tables = await db.$client.execute("select 1 from sqlite_master where type = 'table' and name = 'error_reports'");
    if (!tables.rows.length) return [];
    return (await publicCorrections(db, 100_000)).flatMap((c) =>
      c.state === 'corrected' && c.resolvedAt ? [{ reference: c.reference, page: c.page, resolvedAt: c.resolvedAt, resolution: c.resolution ?? '', source: c.resolutionSource ?? '' }] : [],
    );
  } finally {
    db.$client.close();
  }
}

const corrections = await read();
mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
writeFileSync(out, JSON.stringify({ generatedAt: new Date().toISOString(), corrections }, null, 1));
console.log(`数据更正：${corrections.length} 处（${corrections.length ? new Set(corrections.map((c) => c.page)).size + ' 个页面' : '无'}），写入 ${out}。`);
