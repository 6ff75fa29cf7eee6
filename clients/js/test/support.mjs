// Test support: the real server and the real mwg CLI as child processes, and a TCP proxy that cuts connections.
// MWG_DLL names the built gateway (mwg.dll); the .NET test run passes the one it built, `npm test` finds the
// Release build of src/Tool (the mwg executable).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = path.resolve(here, '../../..');
export const mwgDll = process.env.MWG_DLL ?? path.join(repositoryRoot, 'src/Tool/bin/Release/net10.0/mwg.dll');

/** Generous bounds for a loaded 2-core machine; nothing here waits for time, only for a condition. */
export const BOUND_MS = 20_000;

export { WebSocket };

/** Polls `condition` until it is truthy; fails naming `what` after `timeout` ms. */
export async function waitFor(condition, what, timeout = BOUND_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A child process whose stdout and stderr lines can be awaited. */
class Child {
  constructor(args) {
    this.process = spawn('dotnet', [mwgDll, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.stdout = [];
    this.stderr = [];
    this.waiters = [];
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    for (const [stream, lines] of [[this.process.stdout, this.stdout], [this.process.stderr, this.stderr]]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        lines.push(...parts);
        this.waiters = this.waiters.filter((check) => !check());
      });
    }
  }

  /** The first line (stdout, or stderr with `fromStderr`) matching `pattern`, at or after index `from`. */
  line(pattern, { fromStderr = false, from = 0, timeout = BOUND_MS } = {}) {
    const lines = fromStderr ? this.stderr : this.stdout;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find((l) => pattern.test(l));
        if (found === undefined) return false;
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no line matching ${pattern} within ${timeout} ms; stdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`));
      }, timeout);
      if (!check()) this.waiters.push(check);
    });
  }

  async interrupt() {
    if (this.process.exitCode === null) this.process.kill('SIGINT');
    return this.exited;
  }

  kill() {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

/** `mwg ARGS...` to its end: `{code, stdout, stderr}`. */
export async function runMwg(...args) {
  const child = new Child(args);
  const timer = setTimeout(() => child.kill(), BOUND_MS);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, stdout: child.stdout.join('\n').trim(), stderr: child.stderr.join('\n').trim() };
}

/** A long-running `mwg ARGS...` (watch); kill() it when done. */
export function startMwg(...args) {
  return new Child(args);
}

/**
 * `mwg serve` on 127.0.0.1 port 0 (or `port`) over a data folder (a new temporary one unless given), with
 * `config` (HOCON) as --config. stop() ends it gracefully and keeps the folder; dispose() also removes it.
 */
export async function startServer({ config = '', data, port = 0 } = {}) {
  const folder = data ?? (await mkdtemp(path.join(os.tmpdir(), 'mwg-js-')));
  const configFile = path.join(folder + '.conf');
  await writeFile(configFile, `akka.loglevel = WARNING\n${config}\n`);
  const child = new Child(['serve', '--port', String(port), '--data', folder, '--config', configFile]);
  const line = await child.line(/^mwg listening on /, { timeout: 60_000 });
  const url = line.match(/(wss?:\/\/\S+)/)[1];
  const parsed = new URL(url);
  return {
    url,
    httpUrl: url.replace(/^ws/, 'http'),
    port: Number(parsed.port),
    data: folder,
    child,
    async stop() {
      await child.interrupt();
    },
    async dispose() {
      await child.interrupt();
      await rm(folder, { recursive: true, force: true });
      await rm(configFile, { force: true });
    },
  };
}

/**
 * A TCP proxy in front of the server: cut() drops every connection (no close frame, as a network failure),
 * `refusing` drops new ones at once, hold() stops forwarding the server's bytes (a silent peer), and the target
 * port may change (a server restarted on another port).
 */
export class FaultProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.refusing = false;
    this.holding = false;
    this.pairs = new Set();
    this.accepted = 0;
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(targetPort) {
    const proxy = new FaultProxy(targetPort);
    await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url() {
    return `ws://127.0.0.1:${this.server.address().port}/`;
  }

  accept(client) {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      if (!this.holding) client.write(data);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }

  /** Drops every open connection. */
  cut() {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  hold() {
    this.holding = true;
  }

  release() {
    this.holding = false;
  }

  async close() {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
