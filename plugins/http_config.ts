// http_config: config values over HTTP. Each config name is asked of every
// base URL in turn (GET <url><name>); the first 200 answer with a value line
// gives the values (one a line), otherwise the next URL, then the file.
//
//   http_config [timeout SECONDS] URL [URL ...]      (timeout: default 2)
//
// Config hooks answer synchronously: a worker thread, started at the first
// lookup, does the request while the session waits on Atomics.wait. Each
// name is fetched once per process; a URL that timed out or could not be
// reached is not asked again; every failure is logged and falls back.
//
// docs: docs/plugins/http_config.md

import type { Worker } from 'node:worker_threads';
import { DECLINED, LOGDEBUG, LOGERROR, LOGINFO, LOGWARN, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_TIMEOUT_S = 2;
const MAX_BODY = 1024 * 1024;

const MESSAGE = {
  noUrl: 'http_config: no URL given (http_config [timeout SECONDS] URL [URL ...])',
  badUrl: (url: string) => `http_config: not an http or https URL: ${url}`,
  badTimeout: (value: string) => `http_config: timeout must be a positive number of seconds, not "${value}"`,
  failed: (url: string, why: string, base: string) => `${url}: ${why}; ${base} is not asked again in this connection`,
  status: (url: string, status: number) => `${url}: HTTP ${status}, falling back`,
  empty: (url: string) => `${url}: no values, falling back`,
} as const;

// The worker: one GET at a time. The shared buffer (workerData) holds the
// state [done, status, length, ready] and then the body, or the error text
// with status -1; Atomics.notify wakes the session thread waiting on it.
const WORKER_SOURCE = `
const { parentPort, workerData: shared } = require('node:worker_threads');
const state = new Int32Array(shared, 0, 4);
const out = new Uint8Array(shared, 16);
const agents = {};
parentPort.on('message', ({ url, timeoutMs }) => {
  let finished = false;
  const finish = (status, bytes) => {
    if (finished) return;
    finished = true;
    const length = Math.min(bytes.length, out.length);
    out.set(bytes.subarray(0, length));
    Atomics.store(state, 1, status);
    Atomics.store(state, 2, length);
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  const fail = (why) => finish(-1, Buffer.from(why));
  try {
    const scheme = /^https:/i.test(url) ? 'https' : 'http';
    const client = require('node:' + scheme);
    // One kept-alive connection per server for all the names of the session.
    agents[scheme] ??= new client.Agent({ keepAlive: true, maxSockets: 1 });
    const request = client.get(url, { timeout: timeoutMs, agent: agents[scheme] }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return finish(response.statusCode, Buffer.alloc(0));
      }
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > out.length) {
          fail('answer longer than ' + out.length + ' bytes');
          request.destroy();
        } else chunks.push(chunk);
      });
      response.on('end', () => finish(200, Buffer.concat(chunks)));
      response.on('error', (err) => fail(err.message));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (err) => fail(err.code || err.message));
  } catch (err) {
    fail(err.message);
  }
});
Atomics.store(state, 3, 1);
Atomics.notify(state, 3);
`;

/** How long a worker thread may take to start (not counted in the request timeout). */
const WORKER_START_LIMIT_MS = 10_000;
const HEADER = 16;

type Fetched = { status: number; body: string } | { error: string };

/** A worker thread and the buffer it answers in; a worker that timed out is dropped with its buffer. */
interface Channel {
  worker: Worker;
  state: Int32Array;
  shared: SharedArrayBuffer;
}

/** GET requests that block the calling thread until the worker answers or the time is up. */
class BlockingGet {
  private channel: Channel | undefined;
  /** Set when a worker thread could not start: no second 10 s wait in this connection. */
  private failedStart: { error: string } | undefined;

  constructor(private readonly timeoutMs: number) {}

  get(url: string): Fetched {
    if (this.failedStart) return this.failedStart;
    if (!this.channel) {
      const started = this.start();
      if ('error' in started) return (this.failedStart = started);
      this.channel = started;
    }
    const channel = this.channel;
    Atomics.store(channel.state, 0, 0);
    channel.worker.postMessage({ url, timeoutMs: this.timeoutMs });
    if (Atomics.wait(channel.state, 0, 0, this.timeoutMs) === 'timed-out') {
      // The worker may still write into its buffer later: both go.
      this.drop(channel);
      return { error: `no answer within ${this.timeoutMs / 1000} s` };
    }
    const status = Atomics.load(channel.state, 1);
    const text = Buffer.from(channel.shared, HEADER, Atomics.load(channel.state, 2)).toString('utf8');
    return status === -1 ? { error: text } : { status, body: text };
  }

  private start(): Channel | { error: string } {
    // Loaded here, not at import: most connections never get this far.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const shared = new SharedArrayBuffer(HEADER + MAX_BODY);
    const state = new Int32Array(shared, 0, 4);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: shared });
    worker.unref();
    const channel = { worker, state, shared };
    if (Atomics.wait(state, 3, 0, WORKER_START_LIMIT_MS) === 'timed-out') {
      this.drop(channel);
      return { error: 'the worker thread did not start' };
    }
    return channel;
  }

  private drop(channel: Channel): void {
    void channel.worker.terminate();
    if (this.channel === channel) this.channel = undefined;
  }
}

export default class HttpConfig extends Plugin {
  private urls: string[] = [];
  private timeoutMs = DEFAULT_TIMEOUT_S * 1000;
  /** Config name -> its values, or null when no URL had any: one fetch per name and process. */
  private readonly cache = new Map<string, string[] | null>();
  /** Base URLs that timed out or could not be reached. */
  private readonly dead = new Set<string>();
  private getter: BlockingGet | undefined;
  private fetching = false;

  register(_qp: Qp, ...args: string[]): void {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (arg === 'timeout' || arg === 'loglevel') {
        const value = args[++i] ?? '';
        if (arg === 'timeout') this.timeoutMs = parseTimeout(value);
      } else if (/^https?:\/\/./i.test(arg)) {
        this.urls.push(arg);
      } else {
        throw new Error(MESSAGE.badUrl(arg));
      }
    }
    if (this.urls.length === 0) throw new Error(MESSAGE.noUrl);
  }

  hook_config(_transaction: Transaction | undefined, name: string): HookResult {
    // A lookup made while a fetch runs (by a logging plugin, say) is left to the files.
    if (this.fetching) return DECLINED;
    let values = this.cache.get(name);
    if (values === undefined) {
      this.fetching = true;
      try {
        values = this.fetch(name);
      } finally {
        this.fetching = false;
      }
      this.cache.set(name, values);
    }
    return values ? [OK, ...values] : DECLINED;
  }

  private fetch(name: string): string[] | null {
    for (const base of this.urls) {
      if (this.dead.has(base)) continue;
      const url = base + encodeURIComponent(name);
      this.log(LOGDEBUG, `loading ${url}`);
      this.getter ??= new BlockingGet(this.timeoutMs);
      const answer = this.getter.get(url);
      if ('error' in answer) {
        this.dead.add(base);
        this.log(LOGERROR, MESSAGE.failed(url, answer.error, base));
      } else if (answer.status !== 200) {
        this.log(answer.status === 404 ? LOGINFO : LOGWARN, MESSAGE.status(url, answer.status));
      } else {
        const values = valueLines(answer.body);
        if (values.length > 0) return values;
        this.log(LOGDEBUG, MESSAGE.empty(url));
      }
    }
    return null;
  }
}

/** The body's value lines: trimmed, without blank lines and # comments. */
function valueLines(body: string): string[] {
  return body
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0) throw new Error(MESSAGE.badTimeout(value));
  return seconds * 1000;
}
