/**
 * The embedded default for Node: a libSQL file under .data/, migrations
 * applied at start, and secrets generated on first start into an ignored file.
 * Environment variables override each: DATABASE_URL, DATABASE_AUTH_TOKEN,
 * CONTACT_ENCRYPTION_KEY, CLIENT_HASH_SALT.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { importContactKey, newKeyBase64 } from './crypto.ts';
import { openDatabase, type Database } from './db.ts';
import type { PhotoStore } from './photo-store.ts';

export const DATA_DIR = process.env.DATA_DIR ?? '.data';
export const MIGRATIONS = 'db/migrations';

interface Secrets {
  contactEncryptionKey: string;
  clientHashSalt: string;
}

/** Reads secrets from the environment, else from .data/secrets.json, creating it (mode 600) on first start. */
export function loadSecrets(dir = DATA_DIR): Secrets {
  const fromEnv = { contactEncryptionKey: process.env.CONTACT_ENCRYPTION_KEY, clientHashSalt: process.env.CLIENT_HASH_SALT };
  if (fromEnv.contactEncryptionKey && fromEnv.clientHashSalt) return fromEnv as Secrets;
  const file = join(dir, 'secrets.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh: Secrets = { contactEncryptionKey: newKeyBase64(), clientHashSalt: newKeyBase64() };
    writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
    console.log(`已生成本地密钥文件 ${file}（请勿提交或外传；丢失后已加密的联系方式将无法解密）。`);
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  return {
    contactEncryptionKey: fromEnv.contactEncryptionKey ?? stored.contactEncryptionKey,
    clientHashSalt: fromEnv.clientHashSalt ?? stored.clientHashSalt,
  };
}

/** Opens the database and brings its schema up to date. Re-running the migrations is a no-op. */
/** The database: DATABASE_URL, or the embedded file in the data folder. */
export const DATABASE_URL = process.env.DATABASE_URL ?? `file:${join(DATA_DIR, 'portal.db')}`;

export async function openLocalDatabase(url = DATABASE_URL): Promise<Database> {
  if (url.startsWith('file:')) mkdirSync(dirname(url.slice('file:'.length)) || '.', { recursive: true, mode: 0o700 });
  const db = openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
  if (url.startsWith('file:')) {
    // WAL lets readers run beside the writer. A locked database is waited out by the client
    // (functions/db.ts), asynchronously: SQLite's busy_timeout would stall the event loop.
    await db.$client.execute('PRAGMA journal_mode = WAL');
    await db.$client.execute('PRAGMA foreign_keys = ON');
  }
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

/**
 * Makes what the data folder holds readable by its owner only — the contact key and salt, every
 * complaint, backups of them — including files made before this was done (by an older version,
 * a copy or a restore). The entry points also set umask 077, so files made later (by SQLite too:
 * the WAL and SHM take the database file's mode) start out that way. Folders 0700, files 0600.
 */
export function protectLocalData(dir = DATA_DIR, url = DATABASE_URL): void {
  const chmod = (path: string, mode: number) => {
    try {
      chmodSync(path, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') console.warn(`无法将 ${path} 的权限改为 ${mode.toString(8)}（${code}）：请手动设置，只允许运行本服务的用户读写。`);
    }
  };
  chmod(dir, 0o700);
  chmod(join(dir, 'secrets.json'), 0o600);
  for (const sub of ['backups', 'photos']) chmod(join(dir, sub), 0o700);
  let backups: string[] = [];
  try {
    backups = readdirSync(join(dir, 'backups'));
  } catch {
    // no backups yet
  }
  for (const name of backups) chmod(join(dir, 'backups', name), 0o600);
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length).replace(/\?.*$/, '');
    for (const suffix of ['', '-wal', '-shm', '-journal']) chmod(file + suffix, 0o600);
  }
}

export async function localSecrets(dir = DATA_DIR) {
  const secrets = loadSecrets(dir);
  return { contactKey: await importContactKey(secrets.contactEncryptionKey), clientSalt: secrets.clientHashSalt };
}

export type { Database };

/** Photos in a local folder (default .data/photos), one file per photo with its type beside it. */
export function localPhotoStore(dir = join(DATA_DIR, 'photos')): PhotoStore {
  const path = (key: string) => join(dir, ...key.split('/').map((part) => part.replace(/[^A-Za-z0-9_-]/g, '_')));
  return {
    async put(key, bytes, contentType) {
      await mkdir(dirname(path(key)), { recursive: true, mode: 0o700 });
      await writeFile(path(key), bytes, { mode: 0o600 });
      await writeFile(`${path(key)}.type`, contentType, { mode: 0o600 });
    },
    async get(key) {
      try {
        return { bytes: new Uint8Array(await readFile(path(key))), contentType: await readFile(`${path(key)}.type`, 'utf8') };
      } catch {
        return undefined;
      }
    },
  };
}
