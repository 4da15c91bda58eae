// An in-process SMTP session for tests (our Test::Qpsmtpd): client bytes in,
// server bytes out, with config files and hooks mocked per test. No process,
// no socket: the session runs on an Input fed from memory and an Output that
// records what was written.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Input, type ChunkSource } from '../../src/io/input';
import type { Output } from '../../src/io/output';
import type { HookReturn } from '../../src/plugin/api';
import type { Plugin } from '../../src/plugin/plugin';
import { runSession } from '../../src/smtp/dispatcher';
import type { Session } from '../../src/smtp/session';
import { createSession, loadPlugins, startConnection } from '../../src/startup';
import { bindPlugin } from '../../src/testing/mocks';

export const PROJECT_DIR = resolve(__dirname, '../..');

export type MockHook = (this: Plugin, ...args: any[]) => HookReturn;

/** A config file's content: text, lines of text, or bytes written as they are (a .cdb map). */
export type ConfigContent = string | string[] | Buffer;

export interface HarnessOptions {
  /** Config files: name -> content. "plugins" defaults to none. */
  config?: Record<string, ConfigContent>;
  /** Hooks registered before any plugin runs, in the order given: hook name -> function or list of functions. */
  hooks?: Record<string, MockHook | MockHook[]>;
  /** The client's address (default 127.0.0.1, as tcpserver would say). */
  remoteIp?: string;
  /** Extra environment for the connection facts (TCPREMOTEHOST ...). */
  env?: NodeJS.ProcessEnv;
  pluginDirs?: string[];
  logLevel?: number;
  /** Feed the input in chunks of this many bytes (default: all at once). */
  chunkSize?: number;
  /** After its bytes the client goes silent instead of closing (the session ends by QUIT, disconnect or timeout). */
  stall?: boolean;
}

export interface SessionResult {
  /** Everything the server wrote. */
  output: string;
  /** The reply lines, without CRLF. */
  lines: string[];
  session: Session;
  /** Milliseconds the session itself took (greeting to post-connection). */
  elapsed: number;
  /** The work directory: config/, spool/, maildir/. */
  dir: string;
  /** Messages delivered into dir/maildir/new, in delivery order. */
  delivered(): string[];
  cleanup(): void;
}

/** Runs one whole session on the given client bytes. */
export async function runTranscript(input: string | Buffer, options: HarnessOptions = {}): Promise<SessionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-test-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  mkdirSync(join(dir, 'spool'), { mode: 0o700 });
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, 'maildir', sub), { recursive: true });
  const files: Record<string, ConfigContent> = { me: 'mx.example.test', plugins: '', ...options.config };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(configDir, name)), { recursive: true });
    if (Buffer.isBuffer(content)) {
      writeFileSync(join(configDir, name), content);
      continue;
    }
    const text = (Array.isArray(content) ? content.join('\n') : content).replace(/@WORK@/g, dir);
    writeFileSync(join(configDir, name), text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  let written = '';
  const output: Output = {
    connected: true,
    write: async (text: string) => {
      written += text;
    },
  };
  const session = createSession({
    configDir,
    // The work dir stands in for the install dir, so the project's own config/ does not leak in.
    installDir: dir,
    pluginDirs: options.pluginDirs ?? [],
    spoolDir: join(dir, 'spool'),
    logLevel: options.logLevel ?? -1,
    env: { QMAIL: join(dir, 'no-qmail') },
    input: new Input(memorySource(Buffer.from(input), options.chunkSize, options.stall)),
    output,
  });
  startConnection(session, { env: { TCPREMOTEIP: options.remoteIp ?? '127.0.0.1', ...options.env } });
  registerMocks(session, options.hooks ?? {});
  try {
    await loadPlugins(session, PROJECT_DIR, configDir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const started = Date.now();
  await runSession(session);
  const elapsed = Date.now() - started;

  const newDir = join(dir, 'maildir', 'new');
  return {
    output: written,
    lines: written.split('\r\n').filter((l, i, all) => l !== '' || i < all.length - 1),
    session,
    elapsed,
    dir,
    delivered: () =>
      readdirSync(newDir)
        .sort(naturalCompare)
        .map((f) => readFileSync(join(newDir, f), 'utf8')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Client bytes from memory, optionally cut into small chunks (to test
 * reassembly); then the end of input, or with `stall` nothing more ever (a
 * client that stays connected but silent).
 */
export function memorySource(data: Buffer, chunkSize?: number, stall = false): ChunkSource {
  const chunks: Buffer[] = [];
  const size = chunkSize ?? Math.max(data.length, 1);
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return {
    next: () => {
      const chunk = chunks.shift();
      if (chunk) return Promise.resolve(chunk);
      return stall ? new Promise<Buffer | null>(() => undefined) : Promise.resolve(null);
    },
  };
}

function registerMocks(session: Session, hooks: Record<string, MockHook | MockHook[]>): void {
  const plugin = bindPlugin(session, 'mock');
  for (const [hook, fns] of Object.entries(hooks)) {
    for (const fn of Array.isArray(fns) ? fns : [fns]) plugin.register_hook(hook, fn);
  }
}

/** A mock hook that always answers the same. */
export function answer(...result: [number, ...unknown[]]): MockHook {
  return () => result;
}

/** CRLF-terminated lines joined: crlf('HELO x', 'QUIT') === 'HELO x\r\nQUIT\r\n'. */
export function crlf(...lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
