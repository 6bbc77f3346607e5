/**
 * A small libSQL server for tests: the Hrana protocol (version 2, JSON over HTTP, the part
 * @libsql/client's remote client speaks: pipeline requests with execute, batch with conditions,
 * sequence and close; streams held by batons) on loopback, over an embedded libSQL file. It lets
 * the Worker in workerd, which can reach a database only over the network, run against a real
 * database file that the test then reads. No sqld can be installed on these machines
 * (README, Deployment). Test-only: no authentication, one connection per stream.
 */
import { createServer, type Server } from 'node:http';
import { createClient, type Client, type InValue, type ResultSet, type Transaction } from '@libsql/client';

type HranaValue = { type: 'null' } | { type: 'integer'; value: string } | { type: 'float'; value: number } | { type: 'text'; value: string } | { type: 'blob'; base64: string };
interface HranaStmt {
  sql?: string;
  /** SQL stored earlier on the stream (store_sql). */
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}
type HranaCond = { type: 'ok' | 'error'; step: number } | { type: 'not'; cond: HranaCond } | { type: 'and' | 'or'; conds: HranaCond[] } | { type: 'is_autocommit' };
type HranaRequest =
  | { type: 'close' }
  | { type: 'execute'; stmt: HranaStmt }
  | { type: 'batch'; batch: { steps: { condition?: HranaCond; stmt: HranaStmt }[] } }
  | { type: 'sequence'; sql?: string; sql_id?: number }
  | { type: 'store_sql'; sql_id: number; sql: string }
  | { type: 'close_sql'; sql_id: number }
  | { type: 'get_autocommit' };

function toValue(v: HranaValue): InValue {
  switch (v.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(v.value);
    case 'float':
      return v.value;
    case 'text':
      return v.value;
    case 'blob':
      return Buffer.from(v.base64, 'base64');
  }
}

function fromValue(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'bigint') return { type: 'integer', value: String(v) };
  if (typeof v === 'number') return { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'text', value: v };
  if (v instanceof ArrayBuffer) return { type: 'blob', base64: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { type: 'blob', base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  throw new Error(`unexpected value ${typeof v}`);
}

function stmtResult(rs: ResultSet) {
  return {
    cols: rs.columns.map((name, i) => ({ name, decltype: rs.columnTypes[i] || null })),
    rows: rs.rows.map((row) => rs.columns.map((_, i) => fromValue(row[i]))),
    affected_row_count: rs.rowsAffected,
    last_insert_rowid: rs.lastInsertRowid === undefined ? null : String(rs.lastInsertRowid),
  };
}

const errorOf = (e: unknown) => ({ message: (e as Error).message ?? String(e), code: (e as { code?: string }).code ?? 'UNKNOWN' });

/** A stream: its own connection, and a transaction while one is open (BEGIN … COMMIT/ROLLBACK as statements). */
class Stream {
  #client: Client;
  #tx: Transaction | undefined;
  /** SQL texts the client stored on this stream, by id. */
  readonly stored = new Map<number, string>();
  constructor(url: string) {
    this.#client = createClient({ url, intMode: 'bigint' });
  }

  async execute(stmt: HranaStmt): Promise<ResultSet> {
    const sql = this.sqlOf(stmt);
    const args = stmt.named_args?.length ? Object.fromEntries(stmt.named_args.map((a) => [a.name.replace(/^[:@$]/, ''), toValue(a.value)])) : (stmt.args ?? []).map(toValue);
    // The remote client runs transactions as BEGIN … COMMIT statements on one stream: the embedded
    // client's transaction object holds the connection in between.
    const verb = /^\s*(\w+)(?:\s+(\w+))?/.exec(sql);
    const first = verb?.[1]?.toUpperCase();
    if (first === 'BEGIN' && !this.#tx) {
      const mode = verb?.[2]?.toUpperCase();
      this.#tx = await this.#client.transaction(mode === 'IMMEDIATE' || mode === 'EXCLUSIVE' ? 'write' : 'deferred');
      return { columns: [], columnTypes: [], rows: [], rowsAffected: 0, lastInsertRowid: undefined, toJSON: () => ({}) };
    }
    if ((first === 'COMMIT' || first === 'END' || first === 'ROLLBACK') && this.#tx) {
      const tx = this.#tx;
      this.#tx = undefined;
      if (first === 'ROLLBACK') await tx.rollback();
      else await tx.commit();
      tx.close();
      return { columns: [], columnTypes: [], rows: [], rowsAffected: 0, lastInsertRowid: undefined, toJSON: () => ({}) };
    }
    return (this.#tx ?? this.#client).execute({ sql, args });
  }

  sqlOf(stmt: { sql?: string | undefined; sql_id?: number | undefined }): string {
    if (stmt.sql !== undefined) return stmt.sql;
    const stored = stmt.sql_id === undefined ? undefined : this.stored.get(stmt.sql_id);
    if (stored === undefined) throw new Error(`no SQL stored under id ${stmt.sql_id}`);
    return stored;
  }

  get autocommit() {
    return this.#tx === undefined;
  }

  close() {
    this.#tx?.close();
    this.#tx = undefined;
    this.#client.close();
  }
}

export interface HranaServer {
  url: string;
  /** Every SQL statement executed, in order (for tests that want to see what the Worker did). */
  statements: string[];
  close(): Promise<void>;
}

export async function startHrana(databaseUrl: string): Promise<HranaServer> {
  const streams = new Map<string, Stream>();
  const statements: string[] = [];

  async function handle(body: { baton: string | null; requests: HranaRequest[] }) {
    let baton = body.baton;
    let stream = baton ? streams.get(baton) : undefined;
    if (baton && !stream) throw Object.assign(new Error('unknown baton'), { status: 400 });
    if (baton) streams.delete(baton);
    stream ??= new Stream(databaseUrl);
    const results: unknown[] = [];
    let closed = false;
    for (const req of body.requests) {
      try {
        switch (req.type) {
          case 'close':
            stream.close();
            closed = true;
            results.push({ type: 'ok', response: { type: 'close' } });
            break;
          case 'store_sql':
            stream.stored.set(req.sql_id, req.sql);
            results.push({ type: 'ok', response: { type: 'store_sql' } });
            break;
          case 'close_sql':
            stream.stored.delete(req.sql_id);
            results.push({ type: 'ok', response: { type: 'close_sql' } });
            break;
          case 'execute':
            statements.push(stream.sqlOf(req.stmt));
            results.push({ type: 'ok', response: { type: 'execute', result: stmtResult(await stream.execute(req.stmt)) } });
            break;
          case 'batch': {
            const ok: (boolean | undefined)[] = [];
            const stepResults: unknown[] = [];
            const stepErrors: unknown[] = [];
            const holds = (c: HranaCond): boolean =>
              c.type === 'ok' ? ok[c.step] === true
              : c.type === 'error' ? ok[c.step] === false
              : c.type === 'not' ? !holds(c.cond)
              : c.type === 'and' ? c.conds.every(holds)
              : c.type === 'or' ? c.conds.some(holds)
              : stream.autocommit;
            for (const step of req.batch.steps) {
              if (step.condition && !holds(step.condition)) {
                ok.push(undefined);
                stepResults.push(null);
                stepErrors.push(null);
                continue;
              }
              statements.push(stream.sqlOf(step.stmt));
              try {
                stepResults.push(stmtResult(await stream.execute(step.stmt)));
                stepErrors.push(null);
                ok.push(true);
              } catch (error) {
                stepResults.push(null);
                stepErrors.push(errorOf(error));
                ok.push(false);
              }
            }
            results.push({ type: 'ok', response: { type: 'batch', result: { step_results: stepResults, step_errors: stepErrors } } });
            break;
          }
          case 'sequence': {
            // Several statements separated by semicolons, run one after another.
            const sql = stream.sqlOf(req);
            statements.push(sql);
            for (const part of sql.split(';').map((p) => p.trim()).filter(Boolean)) await stream.execute({ sql: part });
            results.push({ type: 'ok', response: { type: 'sequence' } });
            break;
          }
          case 'get_autocommit':
            results.push({ type: 'ok', response: { type: 'get_autocommit', is_autocommit: stream.autocommit } });
            break;
          default:
            results.push({ type: 'error', error: { message: `unsupported request ${(req as { type: string }).type}`, code: 'UNSUPPORTED' } });
        }
      } catch (error) {
        results.push({ type: 'error', error: errorOf(error) });
      }
      if (closed) break;
    }
    if (!closed) {
      baton = crypto.randomUUID();
      streams.set(baton, stream);
    } else baton = null;
    return { baton, base_url: null, results };
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      if (req.method === 'GET' && (req.url === '/v2' || req.url === '/v2/')) {
        res.writeHead(200).end();
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v2/pipeline') {
        res.writeHead(404).end();
        return;
      }
      handle(JSON.parse(raw) as { baton: string | null; requests: HranaRequest[] }).then(
        (body) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body)),
        (error: Error & { status?: number }) => res.writeHead(error.status ?? 500, { 'Content-Type': 'text/plain' }).end(error.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    statements,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams.values()) s.close();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
