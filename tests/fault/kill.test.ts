/**
 * Fault tests of complaint intake on the real Node server (functions/node.ts as
 * a child process, embedded libSQL file in a temporary folder), with the
 * production rate limits: every simulated reporter sends from its own loopback
 * address (127.0.0.x), as separate people would.
 *
 * 1. The process is killed (SIGKILL: no shutdown code runs) in the middle of a
 *    burst of concurrent complaints and restarted on the same data folder.
 *    A receipt promises the complaint is stored: every complaint whose receipt
 *    arrived must be there, exactly once. A request that got no answer may or
 *    may not have been stored; sent again with the same Idempotency-Key it must
 *    end up stored exactly once (a replay of the stored one, or a new one).
 * 2. Another connection holds the database's write lock (BEGIN IMMEDIATE on
 *    the same file, as a backup, `npm run search:index` or a second process
 *    would): intake waits for it — the rest of the server keeps answering — and
 *    never answers 500. A lock held longer than the wait gets 503 with
 *    Retry-After, nothing stored, and the same request succeeds afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { saltedHash } from '../../functions/crypto.ts';
import { BUSY_TIMEOUT_MS } from '../../functions/db.ts';
import { startServer, type RunningServer } from '../support/server.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One HTTP request from a given local address; rejects when the connection fails or breaks. */
function send(url: string, path: string, opts: { method?: string; from: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: opts.method ?? 'GET', localAddress: opts.from, headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A complaint as a reporter sends it: own address, own key, own text. */
interface Submission {
  key: string;
  from: string;
  body: string;
}

function submission(i: number, from: string, run: string): Submission {
  const named = i % 2 === 1;
  return {
    key: `fault-${run}-${i}`,
    from,
    body: JSON.stringify({
      pollutionTypes: ['大气'],
      region: 'gansu-wuwei-liangzhou',
      address: `凉州区某工业园区东侧第${i}号`,
      observedAt: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
      description: `故障测试第${i}条：夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。`,
      anonymous: !named,
      ...(named ? { name: '张三', phone: '13900000000' } : {}),
      consentPublish: true,
    }),
  };
}

const submit = (url: string, s: Submission) =>
  send(url, '/api/complaints', { method: 'POST', from: s.from, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': s.key }, body: s.body });

const trackingCode = (a: Answer) => (JSON.parse(a.body) as { trackingCode: string }).trackingCode;

/** How the server stores a request's Idempotency-Key (functions/intake.ts `idempotencyKeyFor`): the key alone decides a replay. */
async function storedKey(_dataDir: string, s: Submission) {
  return `key:${await saltedHash('idempotency-key', s.key)}`;
}

async function storedComplaints(db: Client) {
  const rows = (await db.execute('SELECT tracking_code AS code, idempotency_key AS k FROM complaints')).rows.map((r) => ({ code: String(r.code), key: String(r.k) }));
  const events = Number((await db.execute("SELECT count(*) AS n FROM complaint_events WHERE action = 'submit'")).rows[0]!.n);
  return { rows, events };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let servers: RunningServer[] = [];
let dirs: string[] = [];
let clients: Client[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  dirs = [];
  clients = [];
});

async function start(dataDir: string) {
  const server = await startServer({}, { dataDir });
  servers.push(server);
  return server;
}

function freshDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'portal-fault-'));
  dirs.push(dir);
  return dir;
}

function openDb(dataDir: string) {
  const db = createClient({ url: `file:${join(dataDir, 'portal.db')}` });
  clients.push(db);
  return db;
}

describe('SIGKILL in the middle of concurrent intake', () => {
  it('keeps every acknowledged complaint exactly once, and a retry of an unanswered one stores it exactly once', async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    const run = Date.now().toString(36);
    // 60 reporters × 4 complaints: within the production limit (10 per 10 minutes) even with every one retried once.
    const subs = Array.from({ length: 240 }, (_, i) => submission(i, `127.0.0.${10 + (i % 60)}`, run));

    const receipts = new Map<string, string>(); // key → tracking code
    const unanswered: Submission[] = [];
    const otherAnswers: number[] = [];
    let next = 0;
    const client = async () => {
      while (next < subs.length) {
        const s = subs[next++]!;
        try {
          const a = await submit(first.url, s);
          if (a.status === 201) receipts.set(s.key, trackingCode(a));
          else otherAnswers.push(a.status);
        } catch {
          unanswered.push(s);
        }
      }
    };
    const clientsDone = Promise.all(Array.from({ length: 24 }, client));
    // Kill once a good part has been acknowledged, with requests in flight and others not yet sent.
    while (receipts.size < 60 && next < subs.length) await sleep(5);
    await first.kill('SIGKILL');
    await clientsDone;

    expect(otherAnswers).toEqual([]);
    expect(receipts.size).toBeGreaterThanOrEqual(60);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(receipts.size + unanswered.length).toBe(subs.length);

    const second = await start(dataDir);
    const db = openDb(dataDir);

    // Every receipt names a stored complaint, stored once, under the key it was sent with.
    const afterRestart = await storedComplaints(db);
    const byCode = new Map<string, string[]>();
    for (const r of afterRestart.rows) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r.key]);
    for (const s of subs.filter((x) => receipts.has(x.key))) {
      expect(byCode.get(receipts.get(s.key)!), `receipt of ${s.key}`).toEqual([await storedKey(dataDir, s)]);
    }
    // Every other stored row is one of the requests that got no answer (stored before the kill,
    // not yet acknowledged), once: nothing stored twice and nothing that was never sent.
    const answeredKeys = new Set(await Promise.all(subs.filter((x) => receipts.has(x.key)).map((x) => storedKey(dataDir, x))));
    const unansweredKeys = new Set(await Promise.all(unanswered.map((x) => storedKey(dataDir, x))));
    const storedUnanswered = afterRestart.rows.filter((r) => !answeredKeys.has(r.key)).length;
    for (const r of afterRestart.rows) expect(answeredKeys.has(r.key) || unansweredKeys.has(r.key), `stored row ${r.code}`).toBe(true);
    expect(new Set(afterRestart.rows.map((r) => r.key)).size).toBe(afterRestart.rows.length);

    // Unanswered requests, sent again with the same key: a replay if they had been stored, else new.
    let replays = 0;
    for (const s of unanswered) {
      const a = await submit(second.url, s);
      expect([200, 201], `retry of ${s.key}: ${a.body}`).toContain(a.status);
      if (a.status === 200) replays++;
      receipts.set(s.key, trackingCode(a));
    }
    expect(replays).toBe(storedUnanswered);
    // An acknowledged complaint sent again after the restart: the same receipt, nothing new.
    for (const s of subs.slice(0, 60).filter((x) => !unanswered.includes(x)).slice(0, 10)) {
      const a = await submit(second.url, s);
      expect(a.status).toBe(200);
      expect(trackingCode(a)).toBe(receipts.get(s.key));
    }

    // Each key → exactly one row, the one its receipt names; nothing else stored.
    const final = await storedComplaints(db);
    expect(final.rows).toHaveLength(subs.length);
    expect(final.events).toBe(subs.length);
    const rowByKey = new Map(final.rows.map((r) => [r.key, r.code]));
    expect(rowByKey.size).toBe(subs.length);
    for (const s of subs) expect(rowByKey.get(await storedKey(dataDir, s)), s.key).toBe(receipts.get(s.key));
    expect(second.output()).not.toMatch(/内部错误/);
  });
});

describe('a database locked by another connection', () => {
  it('is waited out: intake answers after the lock is released, the rest of the server meanwhile, never a 500', async () => {
    const dataDir = freshDataDir();
    const server = await start(dataDir);
    const db = openDb(dataDir);
    const run = Date.now().toString(36);
    const subs = Array.from({ length: 20 }, (_, i) => submission(i, `127.0.1.${10 + i}`, run));

    const tx = await db.transaction('write');
    await tx.execute({ sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)', args: [`lock-${run}`] });
    const lockedAt = Date.now();
    const answers = Promise.all(subs.map((s) => submit(server.url, s)));
    await sleep(300);
    // The server is not stalled by the wait: a request that needs no database is answered while
    // the lock is still held (it is released only below, after this answer arrived).
    const health = await send(server.url, '/api/health', { from: '127.0.1.200' });
    expect(health.status).toBe(200);
    let intakeAnswered = false;
    void answers.then(() => (intakeAnswered = true));
    expect(intakeAnswered).toBe(false);
    await sleep(1200);
    await tx.commit();
    const heldFor = Date.now() - lockedAt;

    const results = await answers;
    expect(results.map((a) => a.status)).toEqual(subs.map(() => 201));
    // They waited for the lock rather than being answered before it was released.
    for (const a of results) expect(a.ms).toBeGreaterThanOrEqual(heldFor - 400);
    const { rows } = await storedComplaints(db);
    expect(new Set(rows.map((r) => r.code))).toEqual(new Set(results.map(trackingCode)));
    expect(server.output()).not.toMatch(/内部错误/);
  });

  it(`answers 503 with Retry-After, storing nothing, when the lock outlasts the wait (${BUSY_TIMEOUT_MS} ms); the retry succeeds`, async () => {
    const dataDir = freshDataDir();
    const server = await start(dataDir);
    const db = openDb(dataDir);
    const s = submission(0, '127.0.2.10', Date.now().toString(36));

    const tx = await db.transaction('write');
    await tx.execute({ sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)', args: ['lock-long'] });
    const refused = await submit(server.url, s);
    await tx.rollback();

    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'database_busy' } });
    expect((await storedComplaints(db)).rows).toHaveLength(0);

    const retried = await submit(server.url, s);
    expect(retried.status).toBe(201);
    expect((await storedComplaints(db)).rows.map((r) => r.code)).toEqual([trackingCode(retried)]);
    expect(server.output()).not.toMatch(/内部错误/);
  });
});
