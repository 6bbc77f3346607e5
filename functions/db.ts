/**
 * The database connection: libSQL through drizzle-orm. A `file:` URL is the
 * embedded default in Node; `libsql://` (Turso) with an auth token in production.
 *
 * An embedded file is opened through `localClient`, which changes how writes
 * reach SQLite but not what they mean:
 *
 * - **Group commit.** Writes made outside an interactive transaction
 *   (`execute` of INSERT/UPDATE/DELETE, `batch`) during one turn of the event
 *   loop are committed in one transaction, so many requests share one WAL
 *   fsync instead of paying one each. Every caller's promise settles only
 *   after that COMMIT (durability and "acknowledged = committed" unchanged);
 *   each `batch` stays all-or-nothing; a statement that fails fails only its
 *   own caller, with the error it would have had alone, and the others are
 *   committed without it, in the order they were made.
 * - **One writer at a time in this process.** Group commits and interactive
 *   write transactions take turns on a lock held in JavaScript, so this
 *   process never contends with itself for SQLite's write lock.
 * - **Waiting out a locked database.** When another process holds the write
 *   lock (a backup, `npm run search:index`, a second server), SQLITE_BUSY is
 *   retried with backoff for up to BUSY_TIMEOUT_MS without blocking the event
 *   loop. (SQLite's own busy timeout sleeps in the calling thread — in Node the
 *   only thread serving requests.) Writes always run in explicit transactions
 *   (BEGIN IMMEDIATE … COMMIT), so a lock can only refuse the BEGIN.
 * - **Recovering a connection a refusal left unusable.** The libSQL driver does
 *   not reset a statement that failed with SQLITE_BUSY; until it is garbage
 *   collected its connection refuses every later write with SQLITE_BUSY (and an
 *   auto-commit write on it would report success without committing). After
 *   any SQLITE_BUSY the client's connections are therefore closed and reopened
 *   (`reconnect`) before the next write, once no operation is using them.
 */
import {
  createClient,
  LibsqlBatchError,
  LibsqlError,
  type Client,
  type InArgs,
  type InStatement,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';

export type Database = LibSQLDatabase<typeof schema> & { $client: Client };

/** A drizzle query as a libSQL statement, for transactions and batches that mix drizzle queries with other statements. */
export function toStatement(query: { toSQL(): { sql: string; params: unknown[] } }): InStatement {
  const { sql, params } = query.toSQL();
  return { sql, args: params as InArgs };
}

/** How long a write waits for a locked database before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(url: string, authToken?: string): Database {
  const client = createClient(authToken ? { url, authToken } : { url });
  return drizzle(url.startsWith('file:') ? localClient(client) : client, { schema });
}

/** SQLITE_BUSY or SQLITE_LOCKED (any extended code), possibly wrapped. */
export function isBusy(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(e.code)) return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `op` again while it fails with SQLITE_BUSY, backing off (1 ms doubling to 50 ms, jittered) until `timeoutMs`. */
export async function whileBusy<T>(op: () => Promise<T>, timeoutMs = BUSY_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      return await op();
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error;
    }
    await sleep(delay * (0.5 + Math.random()));
  }
}

const WRITE = /^\s*(insert|update|delete|replace)\b/i;

/** A statement with its SQL at hand (to tell writes from reads). */
type Statement = Exclude<InStatement, string>;

function statementOf(stmt: InStatement | [string, InArgs?], args?: InArgs): Statement {
  if (typeof stmt === 'string') return { sql: stmt, args: args ?? [] };
  if (Array.isArray(stmt)) return { sql: stmt[0], args: stmt[1] ?? [] };
  return stmt;
}

/** The error `execute` would have thrown for a statement that failed as the only one of a batch. */
function asExecuteError(error: unknown): unknown {
  if (!(error instanceof LibsqlBatchError)) return error;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return new LibsqlError(cause?.message ?? error.message, error.code, error.extendedCode, error.rawCode, cause);
}

/** A lock held across awaits, handed to waiters in turn; a wait longer than `timeoutMs` fails as SQLITE_BUSY. */
class TurnLock {
  #held = false;
  #waiters: (() => void)[] = [];

  async acquire(timeoutMs: number): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new LibsqlError('database is locked by a write transaction of this process', 'SQLITE_BUSY'));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** Writes waiting for the next group commit: one caller's `execute` (one statement) or `batch`. */
interface Unit {
  statements: Statement[];
  batch: boolean;
  resolve: (result: ResultSet[]) => void;
  reject: (error: unknown) => void;
}

/** The most callers committed in one transaction; more wait for the next. */
const MAX_GROUP = 200;

/** Wraps a client of an embedded file (see the file comment). `busyTimeoutMs` is for tests. */
export function localClient(raw: Client, { busyTimeoutMs = BUSY_TIMEOUT_MS } = {}): Client {
  const writer = new TurnLock();
  let queue: Unit[] = [];
  let scheduled = false;
  /** Operations on `raw` under way, and interactive transactions open: a reconnect must wait for both. */
  let inFlight = 0;
  let openTransactions = 0;
  /** A statement failed with SQLITE_BUSY: connections must be reopened before the next write. */
  let unusable = false;

  /** Every call on `raw` goes through here, to know when connections are in use and when one became unusable. */
  async function use<T>(op: () => Promise<T>): Promise<T> {
    inFlight++;
    try {
      return await op();
    } catch (error) {
      if (isBusy(error)) unusable = true;
      throw error;
    } finally {
      inFlight--;
    }
  }

  /** Before a write: reopen the connections if one was left unusable, as soon as nothing uses them. */
  async function usable(deadline: number) {
    while (unusable) {
      if (inFlight === 0 && openTransactions === 0) {
        unusable = false;
        await raw.reconnect();
        return;
      }
      if (Date.now() > deadline) throw new LibsqlError('database connections are still in use after a lock', 'SQLITE_BUSY');
      await sleep(1);
    }
  }

  /** Runs a write transaction (under the writer lock) until it is not refused by a lock any more. */
  async function write<T>(op: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + busyTimeoutMs;
    return whileBusy(async () => {
      await usable(deadline);
      return use(op);
    }, busyTimeoutMs);
  }

  const enqueue = (statements: Statement[], batch: boolean) =>
    new Promise<ResultSet[]>((resolve, reject) => {
      queue.push({ statements, batch, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the I/O callbacks of this turn: every write they made joins the group.
        setImmediate(() => void drain());
      }
    });

  async function drain() {
    while (queue.length) {
      const group = queue.slice(0, MAX_GROUP);
      queue = queue.slice(MAX_GROUP);
      try {
        await writer.acquire(busyTimeoutMs);
      } catch (error) {
        for (const u of group) u.reject(error);
        continue;
      }
      try {
        await commit(group);
      } finally {
        writer.release();
      }
    }
    scheduled = false;
  }

  /** Runs one caller's writes on their own, exactly as the plain client would (but in an explicit transaction). */
  async function alone(unit: Unit) {
    try {
      unit.resolve(await write(() => raw.batch(unit.statements, 'write')));
    } catch (error) {
      unit.reject(unit.batch ? error : asExecuteError(error));
    }
  }

  /** Commits the units together; if a statement fails, its unit runs alone and the rest are committed without it. */
  async function commit(units: Unit[]): Promise<void> {
    if (units.length === 0) return;
    if (units.length === 1) return alone(units[0]!);
    let results: ResultSet[];
    try {
      results = await write(() => raw.batch(units.flatMap((u) => u.statements), 'write'));
    } catch (error) {
      // Nothing was committed. Find whose statement failed, if SQLite said.
      if (error instanceof LibsqlBatchError && error.statementIndex !== undefined) {
        let end = 0;
        const failed = units.findIndex((u) => (end += u.statements.length) > error.statementIndex);
        if (failed >= 0) {
          await commit(units.slice(0, failed));
          await alone(units[failed]!);
          return commit(units.slice(failed + 1));
        }
      }
      // Still locked after the wait: so would each one be.
      if (isBusy(error)) {
        for (const u of units) u.reject(u.batch ? error : asExecuteError(error));
        return;
      }
      for (const u of units) await alone(u);
      return;
    }
    let offset = 0;
    for (const u of units) {
      u.resolve(results.slice(offset, offset + u.statements.length));
      offset += u.statements.length;
    }
  }

  /** An interactive transaction: a write one holds the writer lock until it commits, rolls back or closes. */
  async function transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    const writes = mode !== 'read';
    if (writes) await writer.acquire(busyTimeoutMs);
    let tx: Transaction;
    try {
      tx = writes ? await write(() => raw.transaction(mode)) : await whileBusy(() => use(() => raw.transaction(mode)));
    } catch (error) {
      if (writes) writer.release();
      throw error;
    }
    openTransactions++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      openTransactions--;
      if (writes) writer.release();
    };
    return {
      execute: (stmt: InStatement) => use(() => tx.execute(stmt)),
      batch: (stmts: InStatement[]) => use(() => tx.batch(stmts)),
      executeMultiple: (sql: string) => use(() => tx.executeMultiple(sql)),
      commit: () => use(() => tx.commit()).finally(finish),
      rollback: () => use(() => tx.rollback()).finally(finish),
      close: () => {
        try {
          tx.close();
        } finally {
          finish();
        }
      },
      get closed() {
        return tx.closed;
      },
    };
  }

  function execute(stmt: InStatement): Promise<ResultSet>;
  function execute(sql: string, args?: InArgs): Promise<ResultSet>;
  async function execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const stmt = statementOf(stmtOrSql, args);
    if (WRITE.test(stmt.sql)) return (await enqueue([stmt], false))[0]!;
    return whileBusy(() => use(() => raw.execute(stmt)));
  }

  return {
    execute,
    batch: (stmts, mode = 'deferred') => {
      const statements = stmts.map((s) => statementOf(s));
      // A read-only batch needs no write lock and no commit to wait for.
      return mode === 'read' ? whileBusy(() => use(() => raw.batch(statements, mode))) : enqueue(statements, true);
    },
    transaction,
    migrate: async (stmts) => {
      await writer.acquire(busyTimeoutMs);
      try {
        return await write(() => raw.migrate(stmts));
      } finally {
        writer.release();
      }
    },
    // Several statements outside a transaction: one may have run before a lock stopped the next, so no retry.
    executeMultiple: (sql) => use(() => raw.executeMultiple(sql)),
    sync: () => raw.sync(),
    close: () => raw.close(),
    reconnect: () => raw.reconnect(),
    get closed() {
      return raw.closed;
    },
    get protocol() {
      return raw.protocol;
    },
  };
}
