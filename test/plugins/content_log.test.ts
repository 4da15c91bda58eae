// content_log through dist/qpsmtpd: the bytes appended per message (as
// delivered, with the core's Received and Authentication-Results fields, one
// message after the other), the file name (strftime, the default relative to
// the working directory), content_log_enabled, a file that cannot be
// written, and its place in the data_post chain.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { strftime } from '../../src/util/strftime';
import { BINARY, DATE_PATTERN, cleanEnv, escapeRegExp, replyLines } from '../helpers/e2e';
import { BYE, GO_AHEAD, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, VERSION, crlf, pluginSession, pluginWorkDir } from '../helpers/plugin-session';

const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const QUEUED = '250 Queued! ';
const ENVELOPE = [SENDER_OK('<a@sender.test>'), RCPT_OK('<b@example.com>'), GO_AHEAD];

/** A session with one message per entry (the lines between DATA and the final dot). */
function session(...messages: string[][]): string {
  return crlf('HELO x', ...messages.flatMap((m) => ['MAIL FROM:<a@sender.test>', 'RCPT TO:<b@example.com>', 'DATA', ...m, '.']), 'QUIT');
}

const FIRST = ['Subject: one', 'X-Folded: a', '  b', '', 'body 1', '..leading dot', ''];
const SECOND = ['Subject: two', '', 'body 2'];

/** A delivered message without the two lines queue/maildir puts in front (Return-Path, Delivered-To). */
function withoutDeliveryLines(message: Buffer): string {
  return message.toString('latin1').split('\n').slice(2).join('\n');
}

/** The only file in dir, whose name must be `pattern` through strftime around now. */
function logFile(t: Test, dir: string, pattern: string, before: Date): string {
  const names = readdirSync(dir).filter((n) => !['config', 'spool', 'maildir'].includes(n));
  t.equal(names.length, 1, `one log file in ${dir}: ${names.join(', ')}`);
  // A day may turn while the session runs: either name is right.
  t.ok([strftime(pattern, before), strftime(pattern, new Date())].includes(names[0]!), `${names[0]} is ${pattern}`);
  return readFileSync(join(dir, names[0]!), 'latin1');
}

t.test('each message is appended as delivered, with nothing in between', async (t) => {
  const before = new Date();
  const r = await pluginSession(t, session(FIRST, SECOND, []), {
    plugins: ['content_log', ...QUEUE],
    config: { content_log_file: '@WORK@/content-%Y-%m-%d' },
  });
  t.same(r.lines, [GREETING, HELO_OK, ...ENVELOPE, QUEUED, ...ENVELOPE, QUEUED, ...ENVELOPE, QUEUED, BYE]);
  const text = logFile(t, r.work.dir, 'content-%Y-%m-%d', before);
  t.equal(text, r.delivered.map(withoutDeliveryLines).join(''), 'the log is the delivered messages, concatenated');

  const trace = (): string =>
    `Authentication-Results: ${escapeRegExp(ME)}; auth=none\n` +
    `Received: from \\[127\\.0\\.0\\.1\\] \\(HELO x\\) \\(127\\.0\\.0\\.1\\)\n` +
    ` by ${escapeRegExp(ME)} \\(qpsmtpd-ts/${escapeRegExp(VERSION)}\\) with SMTP ; ${DATE_PATTERN}\n`;
  const expected = new RegExp(
    `^${trace()}Subject: one\nX-Folded: a\n  b\n\nbody 1\n\\.leading dot\n\n` + `${trace()}Subject: two\n\nbody 2\n` + `${trace()}$`,
  );
  t.match(text, expected, 'header, empty line and body; an empty message leaves only the trace fields');
  t.match(r.stderr, /content_log: saved message to /);
});

t.test('the default file is mail/%Y%m%d, relative to the working directory', async (t) => {
  const before = new Date();
  const work = pluginWorkDir(t, { plugins: ['content_log', ...QUEUE] });
  mkdirSync(join(work.dir, 'mail'));
  const run = spawnSync(BINARY, work.args, { cwd: work.dir, env: cleanEnv({ TCPREMOTEIP: '127.0.0.1' }), input: session(SECOND) });
  t.same(replyLines(run.stdout).slice(-2), [QUEUED, BYE]);
  const text = logFile(t, join(work.dir, 'mail'), '%Y%m%d', before);
  t.equal(text, work.delivered().map(withoutDeliveryLines).join(''));
});

t.test('a file that cannot be written is logged; the message goes on', async (t) => {
  const r = await pluginSession(t, session(SECOND), {
    plugins: ['content_log', ...QUEUE],
    config: { content_log_file: '@WORK@/no/such/dir/log' },
  });
  t.same(r.lines.slice(-2), [QUEUED, BYE]);
  t.equal(r.delivered.length, 1);
  t.match(r.stderr, /error \(data_post\) content_log: cannot write .*\/no\/such\/dir\/log: ENOENT.*; continuing anyway/);
});

t.test('a large message (spooled to disk) is written whole', async (t) => {
  const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
  const r = await pluginSession(t, session(['Subject: big', '', ...lines]), {
    plugins: ['content_log', ...QUEUE],
    config: { content_log_file: '@WORK@/big.log', size_threshold: '1000' },
  });
  t.same(r.lines.slice(-2), [QUEUED, BYE]);
  t.equal(readFileSync(join(r.work.dir, 'big.log'), 'latin1'), withoutDeliveryLines(r.delivered[0]!));
});

t.test('content_log_enabled: 1, true, yes (any case) or no file turn it on; anything else off', async (t) => {
  for (const value of ['1', 'true', 'YES', ' yes ']) {
    const r = await pluginSession(t, session(SECOND), { plugins: ['content_log', ...QUEUE], config: { content_log_enabled: value, content_log_file: '@WORK@/on.log' } });
    t.equal(readFileSync(join(r.work.dir, 'on.log'), 'latin1'), withoutDeliveryLines(r.delivered[0]!), `"${value}"`);
  }
  for (const value of ['0', 'false', 'no', 'off', 'asdf']) {
    const r = await pluginSession(t, session(SECOND), { plugins: ['content_log', ...QUEUE], config: { content_log_enabled: value, content_log_file: '@WORK@/off.log' } });
    t.same(r.lines.slice(-2), [QUEUED, BYE]);
    t.same(readdirSync(r.work.dir).sort(), ['config', 'maildir', 'spool'], `"${value}": no file`);
  }
  const check = await pluginSession(t, '', { plugins: ['content_log', ...QUEUE], config: { content_log_enabled: 'false' }, args: ['--check'] });
  t.match(check.output.toString(), /content_log {2}\[content_log, bundled\]: \(no hooks\)\n/);
  const on = await pluginSession(t, '', { plugins: ['content_log', ...QUEUE], args: ['--check'] });
  t.match(on.output.toString(), /content_log {2}\[content_log, bundled\]: data_post\n/);
});

t.test('only messages that reach it in the data_post chain are logged', async (t) => {
  // loop 1 refuses every message before content_log runs; naughty refuses after it.
  const refusedBefore = await pluginSession(t, session(SECOND), { plugins: ['loop 1', 'content_log', ...QUEUE], config: { content_log_file: '@WORK@/x.log' } });
  t.same(refusedBefore.lines.slice(-2), ['552 Too many hops (#5.4.6)', BYE]);
  t.same(readdirSync(refusedBefore.work.dir).sort(), ['config', 'maildir', 'spool']);

  const refusedAfter = await pluginSession(t, session(SECOND), {
    plugins: ['headers reject 0', 'content_log', 'naughty reject data_post', ...QUEUE],
    config: { content_log_file: '@WORK@/x.log' },
  });
  t.same(refusedAfter.lines.slice(-2), ['552 We require a valid From header', BYE]);
  t.match(readFileSync(join(refusedAfter.work.dir, 'x.log'), 'latin1'), /\nSubject: two\n\nbody 2\n$/);
});
