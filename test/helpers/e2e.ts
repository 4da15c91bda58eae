// Helpers for the end-to-end tests: they run the BUILT binary (dist/qpsmtpd)
// as a separate process, under real programs (tcpserver, xinetd) or with a
// pipe or file on stdin, against a throw-away config, spool and Maildir.

import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Test } from 'tap';

export const PROJECT_DIR = resolve(__dirname, '../..');
export const BINARY = join(PROJECT_DIR, 'dist/qpsmtpd');
export const FIXTURES = join(PROJECT_DIR, 'test/e2e/fixtures');
export const VERSION: string = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')).version;
export const ME = 'mx.e2e.test';

/** Stops a test file early with a clear message when the binary was not built. */
export function requireBinary(): void {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run 'make build' (node build.mjs) first`);
}

/** The absolute path of a program the tests need; throws (the test fails) when it is not installed. */
export function requireProgram(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  throw new Error(`${name} is not installed: apt-get install ${debianPackage} (.ci/run installs it)`);
}

/** A minimal environment: no TCPREMOTEIP or other variables leak in from the caller. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra };
}

export interface WorkDir {
  dir: string;
  configDir: string;
  spoolDir: string;
  maildir: string;
  /** --config and --spool-dir for this work dir. */
  args: string[];
  /** The files in maildir/new, in delivery order (natural file-name order, as run-suite sorts them). */
  delivered(): Buffer[];
  /** The names in a subdirectory of the work dir ("maildir/tmp", "spool" ...). */
  list(sub: string): string[];
}

export interface WorkDirOptions {
  /** Config files: name -> content (a string, or lines). "@WORK@" stands for the work dir. */
  config?: Record<string, string | string[]>;
}

/**
 * A fresh work dir with config/ (me, loglevel, rcpthosts, relayclients and
 * plugins always written, so that the project's own config/ does not leak
 * in), spool/ (0700) and an empty maildir/. Removed at teardown.
 */
export function makeWorkDir(t: { teardown(fn: () => void): void }, options: WorkDirOptions = {}): WorkDir {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configDir = join(dir, 'config');
  const spoolDir = join(dir, 'spool');
  const maildir = join(dir, 'maildir');
  mkdirSync(configDir);
  mkdirSync(spoolDir, { mode: 0o700 });
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub), { recursive: true });
  const files: Record<string, string | string[]> = {
    me: ME,
    loglevel: '6',
    rcpthosts: 'example.com',
    relayclients: '192.0.2.99',
    plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'],
    ...options.config,
  };
  for (const [name, content] of Object.entries(files)) {
    const text = (Array.isArray(content) ? content.join('\n') : content).replace(/@WORK@/g, dir);
    writeFileSync(join(configDir, name), text === '' || text.endsWith('\n') ? text : `${text}\n`);
  }
  const list = (sub: string): string[] => readdirSync(join(dir, sub)).sort(naturalCompare);
  return {
    dir,
    configDir,
    spoolDir,
    maildir,
    args: ['--config', configDir, '--spool-dir', spoolDir],
    delivered: () => list('maildir/new').map((name) => readFileSync(join(maildir, 'new', name))),
    list,
  };
}

/** Runs of digits compare as numbers (qpsmtpd's Maildir names hold an unpadded microsecond count). */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    const c = /^\d/.test(p) && /^\d/.test(q) ? Number(p) - Number(q) : p < q ? -1 : p > q ? 1 : 0;
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Client bytes written to a pipe on stdin (then closed). */
  input?: string | Buffer;
  /** Custom stdio (a file descriptor for stdin ...); stdout/stderr given as 'pipe' are collected. */
  stdio?: StdioOptions;
  timeoutMs?: number;
}

/** Runs dist/qpsmtpd once and collects its exit status and output. */
export function runBinary(options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(BINARY, options.args ?? [], {
      env: options.env ?? cleanEnv(),
      stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dist/qpsmtpd did not exit within ${options.timeoutMs ?? 10000} ms`));
    }, options.timeoutMs ?? 10000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (child.stdin) {
      // The server may exit before reading everything (a 421 at start-up).
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    }
  });
}

/** Lines joined with CRLF, with a final CRLF. */
export function crlf(...lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Reply bytes split into lines (each must end in CRLF; a trailing partial line is kept as is). */
export function replyLines(bytes: Buffer | string): string[] {
  const text = bytes.toString();
  const lines = text.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A TCP port that was free a moment ago (bound to port 0, then closed). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePromise(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Polls until check() returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs a program to completion (for clients such as swaks), with a time limit. */
export function runProgram(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(file, args, {
    env: options.env ?? cleanEnv(),
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 20000,
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const DATE_PATTERN = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface TraceFacts {
  /** MAIL FROM, as in Return-Path ("<a@b.c>"). */
  sender: string;
  /** Delivered-To lines, top to bottom. */
  deliveredTo: string[];
  /** remote_info as the Received line shows it ("[127.0.0.1]"). */
  remoteInfo: string;
  remoteIp: string;
  helo: string;
  /** "SMTP" (HELO) or "ESMTP" (EHLO). */
  protocol: string;
}

/**
 * The exact bytes our server puts in front of a message (Return-Path and
 * Delivered-To from queue/maildir, Authentication-Results and Received from
 * the core), followed by exactly the message as sent: only the date in the
 * Received line is matched loosely.
 */
export function deliveredPattern(facts: TraceFacts, message: Buffer | string): RegExp {
  return new RegExp(`^${tracePattern(facts)}${escapeRegExp(Buffer.from(message).toString('latin1'))}$`);
}

/** The regular expression source for the lines our server adds (see deliveredPattern). */
export function tracePattern(facts: TraceFacts): string {
  const head =
    `Return-Path: ${facts.sender}\n` +
    facts.deliveredTo.map((r) => `Delivered-To: ${r}\n`).join('') +
    `Authentication-Results: ${ME}; auth=none\n` +
    `Received: from ${facts.remoteInfo} (HELO ${facts.helo}) (${facts.remoteIp})\n` +
    ` by ${ME} (qpsmtpd-ts/${VERSION}) with ${facts.protocol} ; `;
  return `${escapeRegExp(head)}${DATE_PATTERN}\\n`;
}

/**
 * Checks a delivered file: the lines our server adds (tracePattern), then
 * exactly the message bytes. For large messages, where one regular
 * expression would be too big, the two parts are compared separately.
 */
export function checkDelivered(
  t: Test,
  file: Buffer | undefined,
  facts: TraceFacts,
  message: Buffer | string,
  what = 'the delivered message',
): void {
  if (!file) {
    t.ok(false, `${what}: not delivered`);
    return;
  }
  const want = Buffer.from(message);
  if (want.length < 20000) {
    t.match(bytes(file), deliveredPattern(facts, want), `${what}: trace lines, then the message byte for byte`);
    return;
  }
  const head = new RegExp(`^${tracePattern(facts)}`).exec(bytes(file));
  t.ok(head, `${what}: starts with the trace lines`);
  const rest = file.subarray(head ? head[0].length : 0);
  t.equal(rest.length, want.length, `${what}: the message has the length sent`);
  t.ok(rest.equals(want), `${what}: the message byte for byte`);
}

/** A delivered file as a latin1 string: every byte one character, so deliveredPattern compares bytes. */
export function bytes(file: Buffer): string {
  return file.toString('latin1');
}
