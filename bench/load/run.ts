/**
 * Load benchmark of the real Node server (functions/node.ts), run as a child
 * process on a fresh temporary data folder (migrated and search-indexed first),
 * driven with autocannon over HTTP:
 *
 *   (a) complaint intake: `POST /api/complaints` for a fixed time, every request
 *       a distinct valid complaint (half of them named, so contact encryption
 *       runs) with its own Idempotency-Key;
 *   (b) search: `GET /api/search` over the seed queries (污水, 汙水處理廠, PM2.5,
 *       一级A, 散煤, 碳化硅), alone and with filters (kind, region, years, page).
 *
 * For each it prints throughput, latency p50/p99 and errors/non-2xx. After the
 * intake run it checks the one thing a load test must not break: every receipt
 * (2xx answer) names a complaint that is in the `complaints` table, exactly
 * once, and the table holds nothing else. (Requests still in flight when a
 * timed run stops lose their answers; they are sent again with the same
 * Idempotency-Key first, as a client would, so each ends with a receipt.)
 * Targets: ≥ 500 intake req/s with p99 ≤ 100 ms.
 *
 * All requests come from one address, so the server is started with
 * BENCH_RATE_LIMIT_MAX (see functions/node.ts): the rate limit is still counted
 * in the database on every request, as in production, only its threshold is
 * raised. Nothing else differs from production (NODE_ENV=production).
 *
 *   npm run bench:load -- [--duration 20] [--connections 20] [--warmup 3] [--only intake|search] [--keep] [--prefill 1000000]
 *
 * `--prefill N` runs on a database already holding N synthetic complaints (合成数据, made once by
 * bench/complaints/prefill.ts and copied into a data folder under .scratch/load/): intake with a
 * million complaints stored. The integrity check then compares the receipts with the rows this run
 * stored (the synthetic ones are labelled and left out). Figures go to .scratch/bench/load.json
 * (bench/report.ts), named by the number of complaints stored before the run.
 *
 * autocannon runs in this process, on the same machine as the server: on a
 * small machine the two compete for the CPU, which the figures include.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@libsql/client';
import autocannon from 'autocannon';
import { openLocalDatabase } from '../../functions/local.ts';
import { getPortal } from '../../src/content/portal.ts';
import { POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { contentDocuments, CONTENT_SOURCE } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments } from '../../src/search/index-store.ts';
import { startServer } from '../../tests/support/server.ts';
import { syntheticDatabase } from '../complaints/prefill.ts';
import { figure, writeReport, type Figure as ReportFigure } from '../report.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    prefill: { type: 'string', default: '0' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const TARGET = { rps: 500, p99: 100 };
const PREFILL = Number(args.prefill);

const SEED_QUERIES = ['污水', '汙水處理廠', 'PM2.5', '一级A', '散煤', '碳化硅'];
const FILTERS = ['', '&kind=item', '&region=gansu-wuwei', '&from=2019&to=2021', '&kind=item,case&pageSize=5', '&page=2&pageSize=5'];

// ---------------------------------------------------------------- requests

const REGIONS = ['gansu-wuwei-liangzhou', 'gansu-wuwei', 'gansu-lanzhou', 'gansu'];
/** A date the validator accepts: a few days ago (it refuses dates after today in China). */
const OBSERVED = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const RUN = Date.now().toString(36);
let sent = 0;

/** The n-th complaint of this run: distinct text, every field kind used; odd ones named (encrypted contact). */
function complaint(n: number) {
  const named = n % 2 === 1;
  return {
    pollutionTypes: [POLLUTION_TYPES[n % POLLUTION_TYPES.length], ...(n % 3 === 0 ? ['水'] : [])].filter((v, i, a) => a.indexOf(v) === i),
    region: REGIONS[n % REGIONS.length],
    address: `凉州区某工业园区东侧第${n}号厂房`,
    ...(n % 4 === 0 ? { latitude: 37.92 + (n % 100) / 1000, longitude: 102.63 } : {}),
    observedAt: OBSERVED,
    description: `压力测试第${n}条：夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时，附近居民多次反映。`,
    ...(n % 5 === 0 ? { suspectedPolluter: '某建材有限公司' } : {}),
    anonymous: !named,
    ...(named ? { name: '张三', phone: `139${String(n % 1e8).padStart(8, '0')}` } : {}),
    consentPublish: n % 2 === 0,
  };
}

interface IntakeLog {
  /** Tracking code of every 201 receipt. */
  receipts: string[];
  /** 200 answers (replays) during the run: there should be none, as every key is new. */
  replays: number;
  /** Requests sent and not (yet) answered, by Idempotency-Key: their bodies, to ask again. */
  pending: Map<string, string>;
}

function intakeRequest(log: IntakeLog): autocannon.Request {
  return {
    method: 'POST',
    path: '/api/complaints',
    setupRequest: (req, context) => {
      const n = sent++;
      const key = `bench-${RUN}-${n}`;
      const body = JSON.stringify(complaint(n));
      // One request in flight per connection (no pipelining): the context names it until its answer.
      context.key = key;
      log.pending.set(key, body);
      return { ...req, headers: { 'content-type': 'application/json', 'idempotency-key': key }, body };
    },
    onResponse: (status, body, context) => {
      log.pending.delete(context.key as string);
      if (status === 201) log.receipts.push((JSON.parse(body) as { trackingCode: string }).trackingCode);
      else if (status === 200) log.replays++;
    },
  };
}

/**
 * A timed run ends with requests in flight whose answers autocannon drops (and
 * a timed-out request is abandoned): those complaints may be stored without
 * their receipt having been seen. Asks again with the same Idempotency-Key, as
 * a client would, so every request ends with a receipt: a 200 replay if it had
 * been stored, a 201 if not. Answers how many there were.
 */
async function settlePending(url: string, log: IntakeLog): Promise<number> {
  const pending = [...log.pending];
  log.pending.clear();
  for (const [key, body] of pending) {
    const res = await fetch(`${url}/api/complaints`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body });
    if (res.status !== 200 && res.status !== 201) throw new Error(`retry of ${key}: ${res.status} ${await res.text()}`);
    log.receipts.push(((await res.json()) as { trackingCode: string }).trackingCode);
  }
  return pending.length;
}

// ---------------------------------------------------------------- running

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, timeout: 10, ...opts }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

interface Figures {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

function figures(name: string, r: autocannon.Result): Figures {
  const requests = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    name,
    requests,
    seconds: r.duration,
    rps: requests / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

function print(f: Figures) {
  console.log(
    `${f.name.padEnd(8)} ${String(f.requests).padStart(7)} req in ${f.seconds.toFixed(1)} s  ` +
      `${f.rps.toFixed(0).padStart(5)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  max ${f.max} ms  ` +
      `errors ${f.errors} (timeouts ${f.timeouts})  non-2xx ${f.non2xx}`,
  );
}

/** Compares the receipts with the complaints table: each receipt's complaint stored once, nothing else stored. */
async function checkIntegrity(dataDir: string, log: IntakeLog, resent: number) {
  const client = createClient({ url: `file:${join(dataDir, 'portal.db')}` });
  try {
    // Synthetic rows stored before the run (--prefill) are labelled, and not this run's.
    const rows = (await client.execute("SELECT tracking_code AS code, idempotency_key AS k FROM complaints WHERE client_hash <> 'synthetic'")).rows;
    const events = Number((await client.execute("SELECT count(*) AS n FROM complaint_events WHERE action = 'submit'")).rows[0]!.n);
    const stored = new Map<string, number>();
    for (const r of rows) stored.set(String(r.code), (stored.get(String(r.code)) ?? 0) + 1);
    const keys = new Set(rows.map((r) => String(r.k)));
    const receipts = new Set(log.receipts);
    const missing = [...receipts].filter((code) => !stored.has(code));
    const extra = [...stored.keys()].filter((code) => !receipts.has(code));
    const ok =
      rows.length === log.receipts.length && receipts.size === log.receipts.length && keys.size === rows.length &&
      events === rows.length && missing.length === 0 && extra.length === 0 && log.replays === 0;
    console.log(
      `integrity: ${log.receipts.length} receipts (${receipts.size} distinct codes; ${resent} of them by asking again ` +
        `for requests in flight when a run stopped), ${rows.length} rows in complaints (${keys.size} distinct idempotency keys, ` +
        `${events} submit events); receipts not stored ${missing.length}, rows without a receipt ${extra.length}, ` +
        `replays during the runs ${log.replays} → ${ok ? 'OK' : 'MISMATCH'}`,
    );
    return ok;
  } finally {
    client.close();
  }
}

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} logical CPUs (available ${availableParallelism()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${platform()} ${release()}; Node ${process.version}`;
}

/**
 * CPU time the server process has used, in ms (Linux /proc; undefined elsewhere): per request it
 * says what a request costs whatever else the machine runs, which wall-clock rates on a shared
 * machine cannot.
 */
function serverCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average: other work on the machine takes CPU from both server and client. */
const load = () => loadavg()[0]!.toFixed(2);

async function main() {
  const only = args.only;
  console.log(`machine: ${machine()}; load average ${load()} before the run`);
  console.log(`settings: ${DURATION} s per run after ${WARMUP} s warm-up, ${CONNECTIONS} connections, autocannon in-process`);

  let dataDir: string;
  if (PREFILL > 0) {
    // A copy of the synthetic database (made once), with the content search index added.
    mkdirSync(join('.scratch', 'load'), { recursive: true });
    dataDir = mkdtempSync(join('.scratch', 'load', 'run-'));
    copyFileSync(await syntheticDatabase(PREFILL, new Date()), join(dataDir, 'portal.db'));
    const db = await openLocalDatabase(`file:${join(dataDir, 'portal.db')}`);
    await ensureSearchSchema(db.$client);
    await replaceDocuments(db.$client, CONTENT_SOURCE, contentDocuments(getPortal()));
    db.$client.close();
    console.log(`prefilled: ${PREFILL} synthetic complaints stored before the run`);
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
    // Migrates the new database and builds the content search index, as `npm start` does.
    const indexed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/search-index.ts'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
    if (indexed.status !== 0) throw new Error(`search:index failed:\n${indexed.stdout}${indexed.stderr}`);
  }
  const server = await startServer({ NODE_ENV: 'production', BENCH_RATE_LIMIT_MAX: String(1e9) }, { dataDir });
  console.log(`server: ${server.url} (pid ${server.pid}), data ${dataDir}`);

  const results: Figures[] = [];
  let intact = true;
  let cpuPerIntake: number | undefined;
  try {
    if (only !== 'search') {
      const log: IntakeLog = { receipts: [], replays: 0, pending: new Map() };
      if (WARMUP > 0) await run({ url: server.url, duration: WARMUP, requests: [intakeRequest(log)] });
      const cpuBefore = serverCpuMs(server.pid);
      const r = await run({ url: server.url, duration: DURATION, requests: [intakeRequest(log)] });
      const cpuAfter = serverCpuMs(server.pid);
      results.push(figures('intake', r));
      print(results.at(-1)!);
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        cpuPerIntake = (cpuAfter - cpuBefore) / results.at(-1)!.requests;
        console.log(`server CPU per intake request: ${cpuPerIntake.toFixed(2)} ms (at most ${Math.floor(1000 / cpuPerIntake)} req/s per core it has to itself)`);
      }
      intact = await checkIntegrity(dataDir, log, await settlePending(server.url, log));
    }
    if (only !== 'intake') {
      const requests = SEED_QUERIES.flatMap((q) => FILTERS.map((f) => ({ method: 'GET' as const, path: `/api/search?q=${encodeURIComponent(q)}${f}` })));
      if (WARMUP > 0) await run({ url: server.url, duration: WARMUP, requests });
      results.push(figures('search', await run({ url: server.url, duration: DURATION, requests })));
      print(results.at(-1)!);
    }
  } finally {
    await server.stop();
    if (args.keep) console.log(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`load average ${load()} after the run`);
  const intake = results.find((r) => r.name === 'intake');
  if (intake) {
    const met = intake.rps >= TARGET.rps && intake.p99 <= TARGET.p99;
    console.log(`target intake ≥ ${TARGET.rps} req/s, p99 ≤ ${TARGET.p99} ms: ${met ? 'met' : 'NOT met'}`);
  }
  const report: ReportFigure[] = [figure(`${PREFILL}.stored_before`, PREFILL, 'complaints')];
  for (const r of results) {
    const isIntake = r.name === 'intake';
    report.push(
      figure(`${PREFILL}.${r.name}.rps`, Math.round(r.rps), 'req/s', isIntake ? { value: TARGET.rps, comparison: '>=' } : undefined),
      figure(`${PREFILL}.${r.name}.p50_ms`, r.p50, 'ms'),
      figure(`${PREFILL}.${r.name}.p99_ms`, r.p99, 'ms', isIntake ? { value: TARGET.p99, comparison: '<=' } : undefined),
      figure(`${PREFILL}.${r.name}.errors`, r.errors + r.non2xx, 'responses', { value: 0, comparison: '==' }),
    );
  }
  if (intake) report.push(figure(`${PREFILL}.intake.receipts_match_rows`, intact ? 1 : 0, 'bool', { value: 1, comparison: '==' }));
  if (cpuPerIntake !== undefined) report.push(figure(`${PREFILL}.intake.server_cpu_ms_per_request`, Math.round(cpuPerIntake * 100) / 100, 'ms'));
  console.log(`wrote ${writeReport('load', report)}`);
  const failed = !intact || results.some((r) => r.non2xx > 0 || r.errors > 0);
  if (failed) process.exitCode = 1;
}

await main();
