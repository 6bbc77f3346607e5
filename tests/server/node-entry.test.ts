/**
 * The Node entry (functions/node.ts) as a real server process on loopback, with
 * its own data folder: who it takes the client to be (TRUSTED_PROXIES), where
 * its trailing-slash redirect may send a browser, and the modes of the files it
 * keeps (and of a backup made while it runs).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { saltedHash } from '../../functions/crypto.ts';
import { validComplaint } from '../support/api.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let servers: RunningServer[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  dirs = [];
});
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'portal-entry-'));
  dirs.push(dir);
  return dir;
}
async function start(...args: Parameters<typeof startServer>) {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request (the path is sent exactly as given) from a chosen loopback address. */
function send(server: RunningServer, path: string, opts: { method?: string; from?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', localAddress: opts.from ?? '127.0.0.1', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the trailing-slash redirect of the Node server', () => {
  it('never sends the browser to another host: //host/path stays a path on this site', async () => {
    const server = await start();
    const phish = await send(server, '//127.0.0.2:4599/phish?x=1');
    expect(phish.status).toBe(301);
    expect(phish.headers.location).toBe('/127.0.0.2:4599/phish/?x=1');
    const many = await send(server, '////evil.example/x');
    expect(many.headers.location).toBe('/evil.example/x/');
    // The usual case is unchanged.
    const page = await send(server, '/methodology?a=1');
    expect(page.status).toBe(301);
    expect(page.headers.location).toBe('/methodology/?a=1');
  });
});

describe('TRUSTED_PROXIES in the Node entry', () => {
  it('believes X-Forwarded-For only from a trusted peer, and refuses to start on a bad entry', async () => {
    const server = await start({ TRUSTED_PROXIES: '127.0.0.1' });
    const file = (from: string, xff: string, address: string) =>
      send(server, '/api/complaints', { method: 'POST', from, headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff }, body: JSON.stringify(validComplaint({ address })) });
    expect((await file('127.0.0.1', '198.51.100.7', '经可信代理转发的投诉')).status).toBe(201);
    expect((await file('127.0.0.2', '198.51.100.8', '直接连接并伪造转发头的投诉')).status).toBe(201);

    const { clientHashSalt } = JSON.parse(readFileSync(join(server.dataDir, 'secrets.json'), 'utf8')) as { clientHashSalt: string };
    const db = createClient({ url: `file:${join(server.dataDir, 'portal.db')}` });
    try {
      const hashOf = async (address: string) => (await db.execute({ sql: 'SELECT client_hash FROM complaints WHERE address = ?', args: [address] })).rows[0]!.client_hash;
      expect(await hashOf('经可信代理转发的投诉')).toBe(await saltedHash(clientHashSalt, '198.51.100.7'));
      expect(await hashOf('直接连接并伪造转发头的投诉')).toBe(await saltedHash(clientHashSalt, '127.0.0.2'));
    } finally {
      db.close();
    }

    await expect(startServer({ TRUSTED_PROXIES: '127.0.0.1, proxy.internal' })).rejects.toThrow(/TRUSTED_PROXIES 中的“proxy.internal”/);
    await expect(startServer({ SITE_URL: 'portal.example' })).rejects.toThrow(/SITE_URL 不是有效的网址/);
  });
});

describe('files at rest', () => {
  it('keeps the data folder 0700 and the database, its WAL and SHM, secrets and backups 0600, fixing older files at start', async () => {
    // A data folder as an older version (umask 022) left it.
    const dir = join(tempDir(), 'data');
    await (await start({}, { dataDir: dir })).stop();
    mkdirSync(join(dir, 'backups'));
    writeFileSync(join(dir, 'backups', 'portal-old.db'), 'old backup');
    for (const [path, m] of [[dir, 0o755], [join(dir, 'backups'), 0o755], [join(dir, 'backups', 'portal-old.db'), 0o644], [join(dir, 'secrets.json'), 0o644], [join(dir, 'portal.db'), 0o644]] as const) chmodSync(path, m);

    const server = await start({}, { dataDir: dir });
    expect((await send(server, '/api/complaints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validComplaint()) })).status).toBe(201);
    expect(mode(dir)).toBe('700');
    for (const file of ['portal.db', 'portal.db-wal', 'portal.db-shm', 'secrets.json', 'backups/portal-old.db']) expect(mode(join(dir, file)), file).toBe('600');
    expect(mode(join(dir, 'backups'))).toBe('700');

    // npm run db:backup while the server runs, to the default place and to a file named.
    execFileSync('node_modules/.bin/tsx', ['scripts/db-backup.ts'], { env: { ...process.env, DATA_DIR: dir }, stdio: 'pipe' });
    execFileSync('node_modules/.bin/tsx', ['scripts/db-backup.ts', join(dir, 'backups', 'named.db')], { env: { ...process.env, DATA_DIR: dir }, stdio: 'pipe' });
    const backups = readdirSync(join(dir, 'backups'));
    expect(backups).toHaveLength(3);
    for (const file of backups) expect(mode(join(dir, 'backups', file)), file).toBe('600');
  });

  it('creates them that way in a data folder it makes itself', async () => {
    const dir = join(tempDir(), 'data');
    const server = await start({}, { dataDir: dir });
    expect((await send(server, '/api/complaints', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(validComplaint()) })).status).toBe(201);
    expect(mode(dir)).toBe('700');
    for (const file of ['portal.db', 'portal.db-wal', 'portal.db-shm', 'secrets.json']) expect(mode(join(dir, file)), file).toBe('600');
  });
});
