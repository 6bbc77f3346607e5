/**
 * Starts the portal's Node server (functions/node.ts) on a free port, as a
 * child process, for browser tests, benchmarks and fault tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
/**
 * A port free now, below Linux's ephemeral range (32768–60999), so that no server another test
 * starts on port 0 is given it before this test uses it (or, for a server that is "down", while
 * this test expects nothing to answer there).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface RunningServer {
  url: string;
  port: number;
  /** The server's own data folder (database, secrets, photos). */
  dataDir: string;
  /** The server process's id. */
  pid: number;
  /** Stops the server (SIGTERM) and, unless `keepData` was given, removes its data folder. */
  stop: () => Promise<void>;
  /** Kills the server at once (SIGKILL by default): no shutdown code runs; the data folder is kept. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
}

export interface StartOptions {
  /** Use this data folder (e.g. to restart on the same database) instead of a fresh temporary one. */
  dataDir?: string;
  /** Leave the data folder in place when the server stops. Implied by `dataDir`. */
  keepData?: boolean;
}

/**
 * `env` is added to this process's environment; the settings that decide who the client is
 * (TRUSTED_PROXIES, SITE_URL) and where mail goes (SMTP_URL, MAIL_FROM) come only from `env`,
 * never from the shell the tests run in.
 */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  // Each server gets its own embedded database and secrets, removed when it stops.
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'portal-data-'));
  const keepData = options.keepData ?? options.dataDir !== undefined;
  // `node --import tsx` rather than the tsx command: one process, so a signal (even SIGKILL) reaches the server itself.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'functions/node.ts'], {
    // No mail leaves a test server unless the test points it at its own SMTP server.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, TRUSTED_PROXIES: '', SITE_URL: '', SMTP_URL: '', MAIL_FROM: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A server that dies on its own (not stopped or killed by the test) says why, for the test log.
  let started = false;
  let stopping = false;
  child.once('exit', (code, sig) => {
    if (started && !stopping) console.error(`测试服务器意外退出（${code ?? sig}）：\n${output}`);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  started = true;
  const signal = async (sig: NodeJS.Signals) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url,
    port,
    dataDir,
    pid: child.pid!,
    stop: () => signal('SIGTERM').then(() => (keepData ? undefined : rmSync(dataDir, { recursive: true, force: true }))),
    kill: (sig = 'SIGKILL') => signal(sig),
    output: () => output,
  };
}
