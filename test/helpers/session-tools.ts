// Extra tools for the session tests: the expected fixed texts, a client that
// stops sending without closing (for timeouts), and a tracer that records
// which hooks ran, with their arguments, interleaved with the replies.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECLINED } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { Plugin } from '../../src/plugin/plugin';
import type { Session } from '../../src/smtp/session';
import { PROJECT_DIR, runTranscript, type HarnessOptions, type MockHook, type SessionResult } from './harness';

/** Our version, as package.json says. */
export const VERSION: string = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** The fixed replies that name our host, for a session whose config `me` is `me` (client 127.0.0.1). */
export function hostReplies(me: string) {
  const hi = `${me} Hi [127.0.0.1] [127.0.0.1]`;
  return {
    GREETING: `220 ${me} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
    HI: hi,
    HELO_OK: `250 ${hi}; I am so happy to meet you.`,
    EHLO_OK: [`250-${hi}`, '250-PIPELINING', '250 8BITMIME'],
    BYE: `221 ${me} closing connection. Have a wonderful day.`,
  };
}

export const ME = 'mx.example.test';
export const { GREETING, HI, HELO_OK, EHLO_OK, BYE } = hostReplies(ME);
export const SENDER_OK = (addr: string): string => `250 ${addr}, sender OK - how exciting to get mail from you!`;
export const RCPT_OK = (addr: string): string => `250 ${addr}, recipient ok`;
export const TIMEOUT_421 = `421 ${ME} Timeout, closing transmission channel`;
export const HELP_LINES = [
  `214-This is qpsmtpd ${VERSION}`,
  '214-See http://smtpd.develooper.com/',
  '214 To report bugs or send comments, mail to <ask@develooper.com>.',
];
export const INTERNAL = 'Internal error, please try again later';

/**
 * Like runTranscript, but the client goes silent after its bytes instead of
 * closing: the session can only end by QUIT, a disconnect or a timeout.
 */
export async function runStalled(input: string, options: HarnessOptions = {}): Promise<SessionResult> {
  return runTranscript(input, { ...options, stall: true });
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

/** A quit hook that notes the connection's karma, for plugins that adjust it. */
export function karmaAtQuit(): { quit: MockHook; karma(): unknown } {
  let karma: unknown;
  return {
    quit: function (this: Plugin) {
      karma = this.connection.notes('karma');
      return DECLINED;
    },
    karma: () => karma,
  };
}
