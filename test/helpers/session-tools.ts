// Extra tools for the session tests: the expected fixed texts, a client that
// stops sending without closing (for timeouts), and a tracer that records
// which hooks ran, with their arguments, interleaved with the replies.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DECLINED } from '../../src/constants';
import { Input, type ChunkSource } from '../../src/io/input';
import type { Output } from '../../src/io/output';
import type { Transaction } from '../../src/message/transaction';
import { Plugin } from '../../src/plugin/plugin';
import { runSession } from '../../src/smtp/dispatcher';
import type { Session } from '../../src/smtp/session';
import { createSession, loadPlugins, startConnection } from '../../src/startup';
import { PROJECT_DIR, runTranscript, type HarnessOptions, type MockHook, type SessionResult } from './harness';

/** Our version, as package.json says. */
export const VERSION: string = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

export const ME = 'mx.example.test';
export const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
export const HI = `${ME} Hi [127.0.0.1] [127.0.0.1]`;
export const HELO_OK = `250 ${HI}; I am so happy to meet you.`;
export const EHLO_OK = [`250-${HI}`, '250-PIPELINING', '250 8BITMIME'];
export const SENDER_OK = (addr: string): string => `250 ${addr}, sender OK - how exciting to get mail from you!`;
export const RCPT_OK = (addr: string): string => `250 ${addr}, recipient ok`;
export const BYE = `221 ${ME} closing connection. Have a wonderful day.`;
export const TIMEOUT_421 = `421 ${ME} Timeout, closing transmission channel`;
export const HELP_LINES = [
  `214-This is qpsmtpd ${VERSION}`,
  '214-See http://smtpd.develooper.com/',
  '214 To report bugs or send comments, mail to <ask@develooper.com>.',
];
export const INTERNAL = 'Internal error, please try again later';

/**
 * Client bytes that arrive (in chunks, optionally) and then nothing more:
 * the connection stays open but silent, as a stalled client's would.
 */
export function stallingSource(data: Buffer, chunkSize?: number): ChunkSource {
  const chunks: Buffer[] = [];
  const size = chunkSize ?? Math.max(data.length, 1);
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return {
    next: () => {
      const chunk = chunks.shift();
      return chunk ? Promise.resolve(chunk) : new Promise<Buffer | null>(() => undefined);
    },
  };
}

export interface StalledResult {
  lines: string[];
  output: string;
  session: Session;
  /** Milliseconds the whole session took. */
  elapsed: number;
  cleanup(): void;
}

/**
 * Like runTranscript, but the client goes silent after its bytes instead of
 * closing: the session can only end by QUIT, a disconnect or a timeout.
 */
export async function runStalled(
  input: string,
  options: { config?: Record<string, string | string[]>; hooks?: Record<string, MockHook | MockHook[]> } = {},
): Promise<StalledResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-stall-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  mkdirSync(join(dir, 'spool'), { mode: 0o700 });
  const files: Record<string, string | string[]> = { me: ME, plugins: '', ...options.config };
  for (const [name, content] of Object.entries(files)) {
    const text = Array.isArray(content) ? content.join('\n') : content;
    mkdirSync(dirname(join(configDir, name)), { recursive: true });
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
    installDir: dir,
    pluginDirs: [],
    spoolDir: join(dir, 'spool'),
    logLevel: -1,
    env: { QMAIL: join(dir, 'no-qmail') },
    input: new Input(stallingSource(Buffer.from(input))),
    output,
  });
  startConnection(session, { env: { TCPREMOTEIP: '127.0.0.1' } });
  const plugin = new Plugin();
  plugin._bind({
    qp: session,
    name: 'mock',
    args: [],
    registerHook: (p, hook, method, unshift) => session.registry.register(hook, { plugin: p, name: 'mock', method }, unshift),
    parentMethods: () => ({}),
  });
  for (const [hook, fns] of Object.entries(options.hooks ?? {})) {
    for (const fn of Array.isArray(fns) ? fns : [fns]) plugin.register_hook(hook, fn);
  }
  await loadPlugins(session, PROJECT_DIR, configDir);
  const started = Date.now();
  await runSession(session);
  return {
    output: written,
    lines: written.split('\r\n').filter((l, i, all) => l !== '' || i < all.length - 1),
    session,
    elapsed: Date.now() - started,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Hooks of a whole session, in qpsmtpd's order (deny, ok, logging and config left out). */
export const SESSION_HOOKS = [
  'pre-connection',
  'connect',
  'helo_parse',
  'helo',
  'ehlo_parse',
  'ehlo',
  'mail_parse',
  'mail_pre',
  'mail',
  'rcpt_parse',
  'rcpt_pre',
  'rcpt',
  'data',
  'data_headers_end',
  'data_post_headers',
  'received_line',
  'data_post',
  'queue_pre',
  'queue',
  'queue_post',
  'vrfy',
  'noop',
  'help',
  'quit',
  'unrecognized_command',
  'reset_transaction',
  'disconnect',
  'post-connection',
] as const;

export interface Trace {
  /** Hook names as they ran, and "S: <line>" for every reply line, in order. */
  events: string[];
  /** The arguments each hook got (after the transaction), per call. */
  args: Record<string, unknown[][]>;
  /** The mock hooks to pass to runTranscript. */
  hooks: Record<string, MockHook[]>;
}

/**
 * A mock on every hook in `names` that records its call and answers
 * `answers[hook]` (a hook function, whose result is used) or DECLINED
 * (answers for hooks not in `names` are registered untraced). The
 * first hook of the session also starts recording the replies, so hooks and
 * replies can be seen interleaved.
 */
export function trace(answers: Record<string, MockHook> = {}, names: readonly string[] = SESSION_HOOKS): Trace {
  const events: string[] = [];
  const args: Record<string, unknown[][]> = {};
  const hooks: Record<string, MockHook[]> = {};
  let wrapped = false;
  const wrapOutput = (plugin: Plugin): void => {
    if (wrapped) return;
    wrapped = true;
    const output = (plugin.qp as Session).output as { write(text: string): Promise<void> };
    const write = output.write.bind(output);
    output.write = async (text: string) => {
      for (const line of text.split('\r\n')) if (line !== '') events.push(`S: ${line}`);
      return write(text);
    };
  };
  // pre-connection always runs first: it starts the reply recording even when it is not traced.
  hooks['pre-connection'] = [
    function (this: Plugin) {
      wrapOutput(this);
      return DECLINED;
    },
  ];
  for (const name of names) {
    const fn: MockHook = function (this: Plugin, _transaction: Transaction, ...rest: unknown[]) {
      events.push(name);
      (args[name] ??= []).push(rest);
      const answer = answers[name];
      return answer ? answer.call(this, _transaction, ...rest) : DECLINED;
    };
    (hooks[name] ??= []).push(fn);
  }
  // Answers for hooks that are not traced still apply.
  for (const [name, fn] of Object.entries(answers)) if (!names.includes(name)) (hooks[name] ??= []).push(fn);
  return { events, args, hooks };
}

/** The hook names only (reply lines left out). */
export function hookEvents(t: Trace): string[] {
  return t.events.filter((e) => !e.startsWith('S: '));
}

/** A mock hook that never answers (for plugin_timeout). */
export const hang: MockHook = () => new Promise(() => undefined);

/** A mock hook that throws. */
export const boom: MockHook = () => {
  throw new Error('boom');
};

/** A queue hook that records what would be stored: the header as text and the body lines. */
export function recordingQueue(store: { header?: string; body?: string[]; sender?: string; recipients?: string[] }, result: unknown[] = [900]): MockHook {
  return function (this: Plugin, transaction: Transaction) {
    store.header = transaction.header()?.as_string();
    store.sender = transaction.sender()?.format();
    store.recipients = transaction.recipients().map((r) => r.format());
    const body: string[] = [];
    transaction.body_resetpos();
    for (let line = transaction.body_getline(); line; line = transaction.body_getline()) body.push(line.toString('utf8'));
    store.body = body;
    return result as [number, ...unknown[]];
  };
}

/** runTranscript with the clean-up registered on the test. */
export async function transcript(
  t: { teardown(fn: () => void): void },
  input: string | Buffer,
  options: HarnessOptions = {},
): Promise<SessionResult> {
  const r = await runTranscript(input, options);
  t.teardown(r.cleanup);
  return r;
}
