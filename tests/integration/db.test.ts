/**
 * The embedded database client (functions/db.ts, `localClient`) on a real
 * libSQL file: writes made together are committed together (group commit)
 * without changing what each caller sees — answered only after the commit,
 * a failing statement fails only its own caller with the error it would have
 * had alone, a batch stays all-or-nothing — and a database locked by another
 * connection is waited out without blocking the event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, LibsqlBatchError, LibsqlError, type Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBusy, localClient, openDatabase } from '../../functions/db.ts';

let dir: string;
let url: string;
let raw: Client;
let batches: number;
let client: Client;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const insert = (k: string) => ({ sql: 'INSERT INTO t (k) VALUES (?)', args: [k] });
const keys = async () => (await raw.execute('SELECT k FROM t ORDER BY k')).rows.map((r) => String(r.k));
const keysInOrder = async () => (await raw.execute('SELECT k FROM t ORDER BY rowid')).rows.map((r) => String(r.k));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portal-db-'));
  url = `file:${join(dir, 'test.db')}`;
  raw = createClient({ url });
  await raw.execute('PRAGMA journal_mode = WAL');
  await raw.execute('CREATE TABLE t (k TEXT PRIMARY KEY)');
  batches = 0;
  // Counts the transactions the wrapper opens on the plain client.
  client = localClient(
    new Proxy(raw, {
      get(target, prop, receiver) {
        if (prop === 'batch') batches++;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
  );
});
afterEach(() => {
  raw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('group commit', () => {
  it('commits writes made together in one transaction and answers each after it', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.execute(insert(`k${String(i).padStart(2, '0')}`))));
    expect(results.every((r) => r.rowsAffected === 1)).toBe(true);
    expect(batches).toBe(1);
    expect(await keys()).toHaveLength(50);
  });

  it('fails only the caller whose statement fails, with the error it would have had alone', async () => {
    await client.execute(insert('taken'));
    const [a, dup, batch] = await Promise.allSettled([
      client.execute(insert('a')),
      client.execute(insert('taken')),
      client.batch([insert('c'), insert('d')]),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(batch.status).toBe('fulfilled');
    expect(dup.status).toBe('rejected');
    const error = (dup as PromiseRejectedResult).reason as LibsqlError;
    expect(error).toBeInstanceOf(LibsqlError);
    expect(error).not.toBeInstanceOf(LibsqlBatchError);
    expect(error.message).toContain('UNIQUE constraint failed');
    expect(await keys()).toEqual(['a', 'c', 'd', 'taken']);
  });

  it('keeps a batch all-or-nothing when it shares a transaction with others', async () => {
    await client.execute(insert('taken'));
    const [bad, good] = await Promise.allSettled([client.batch([insert('e'), insert('taken')]), client.execute(insert('f'))]);
    expect(bad.status).toBe('rejected');
    expect(((bad as PromiseRejectedResult).reason as LibsqlBatchError).statementIndex).toBe(1);
    expect(good.status).toBe('fulfilled');
    expect(await keys()).toEqual(['f', 'taken']);
  });

  it('keeps the order in which writes were made', async () => {
    await Promise.all([
      client.execute(insert('x')),
      client.execute({ sql: 'UPDATE t SET k = ? WHERE k = ?', args: ['y', 'x'] }),
      client.execute({ sql: 'DELETE FROM t WHERE k = ?', args: ['y'] }),
      client.execute(insert('z')),
    ]);
    expect(await keys()).toEqual(['z']);
  });
});

describe('a locked database', () => {
  it('is waited out without blocking the event loop', async () => {
    const other = createClient({ url });
    const tx = await other.transaction('write');
    await tx.execute(insert('held'));
    const started = Date.now();
    const write = client.execute(insert('waited'));
    let settled = false;
    void write.then(() => (settled = true));
    // The event loop runs while the write waits: this timer fires, and the write is still pending.
    // (Were the wait synchronous, the lock below could never be released: the test would hang.)
    await sleep(300);
    expect(settled).toBe(false);
    await tx.commit();
    await write;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // In the order they committed: the lock holder's row first, then the one that waited.
    expect(await keysInOrder()).toEqual(['held', 'waited']);
    other.close();
  });

  it('does not deadlock with an interactive transaction of the same process', async () => {
    const db = openDatabase(url);
    const inTx = db.transaction(async (tx) => {
      await tx.run(`INSERT INTO t (k) VALUES ('in-tx')`);
      await sleep(200);
    });
    await sleep(20);
    await db.$client.execute(insert('beside'));
    await inTx;
    // The write beside took its turn after the transaction: committed in that order.
    expect(await keysInOrder()).toEqual(['in-tx', 'beside']);
    db.$client.close();
  });

  it('fails with SQLITE_BUSY once the wait is over, and the writes after it are committed', async () => {
    const impatient = localClient(raw, { busyTimeoutMs: 200 });
    const other = createClient({ url });
    const tx = await other.transaction('write');
    await tx.execute(insert('held'));
    const refused = await Promise.allSettled([impatient.execute(insert('late')), impatient.batch([insert('late-1'), insert('late-2')])]);
    expect(refused.every((r) => r.status === 'rejected' && isBusy(r.reason))).toBe(true);
    await tx.commit();
    // The driver leaves the refused statement unreset, which would keep its connection from
    // committing anything until garbage collection: the client reopens its connections first.
    await impatient.execute(insert('after'));
    await impatient.batch([insert('after-1'), insert('after-2')]);
    const outside = createClient({ url });
    expect((await outside.execute('SELECT k FROM t ORDER BY k')).rows.map((r) => String(r.k))).toEqual(['after', 'after-1', 'after-2', 'held']);
    // And it holds no lock: another connection can write.
    await outside.execute(insert('outside'));
    outside.close();
    other.close();
  });

  it('waits out a lock taken with BEGIN IMMEDIATE by another connection, then commits', async () => {
    const other = createClient({ url });
    const tx = await other.transaction('write');
    const write = Promise.all([client.execute(insert('one')), client.batch([insert('two'), insert('three')])]);
    await sleep(100);
    await tx.rollback();
    await write;
    const outside = createClient({ url });
    expect((await outside.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(3);
    await outside.execute(insert('outside'));
    outside.close();
    other.close();
  });
});
