// logging/adaptive through dist/qpsmtpd: every line up to `reject` goes to
// stderr at once; the lines up to `accept` are written again, with the
// prefix, when a transaction ends and nothing in the connection was refused.
// The line formats are those of Debian's qpsmtpd 0.94 with the same config
// (compared by hand: stderr is not part of the conformance suites).

import t, { type Test } from 'tap';
import { LOGDEBUG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { FIXTURE_ARGS, logLines, serverPid, stderrLines } from '../helpers/logging';
import { BYE, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const MAIL = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: s', '', 'hi', '.', 'QUIT');
const MAIL_REPLIES = [GREETING, HELO_OK, SENDER_OK('<a@x.test>'), RCPT_OK('<b@example.com>'), '354 go ahead', '250 Queued! ', BYE];
const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const AT_RCPT = logLines('rcpt', [LOGERROR, 'error'], [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGINFO, 'info'], [LOGDEBUG, 'debug']);

async function session(t: Test, input: string, logging: string, plugins: string[]) {
  const r = await pluginSession(t, input, { config: { logging }, plugins, args: FIXTURE_ARGS });
  const pid = r.stderr ? serverPid(r.stderr) : '';
  // The pid is the same on every line; "P" stands for it in the expectations.
  const log = stderrLines(r.stderr).map((line) => (line.startsWith(`${pid} `) ? `P${line.slice(pid.length)}` : line));
  return { ...r, log };
}

t.test('accepted mail: the lines up to LOGWARN at once, those up to LOGERROR again with "`" at the end', async (t) => {
  const r = await session(t, MAIL, 'logging/adaptive', [AT_RCPT, ...QUEUE]);
  t.same(r.lines, MAIL_REPLIES);
  t.equal(r.delivered.length, 1);
  t.same(r.log, ['P log_lines plugin: error', 'P log_lines plugin: warn', 'P ` log_lines plugin: error']);
});

t.test('a refusal anywhere in the connection: only the lines written at once', async (t) => {
  const input = crlf('HELO x', 'NOOP', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: s', '', 'hi', '.', 'QUIT');
  const r = await session(t, input, 'logging/adaptive', ['refuse noop', AT_RCPT, ...QUEUE]);
  t.same(r.lines, [GREETING, HELO_OK, '500 refused by the test', ...MAIL_REPLIES.slice(2)]);
  t.equal(r.delivered.length, 1);
  t.same(r.log, ['P log_lines plugin: error', 'P log_lines plugin: warn'], 'no prefixed lines, not even for the mail accepted after the refusal');
});

t.test('each transaction writes its own kept lines when it ends (MAIL, RSET, the queue, QUIT)', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'RSET', 'MAIL FROM:<c@x.test>', 'RCPT TO:<d@example.com>', 'QUIT');
  const r = await session(t, input, 'logging/adaptive accept LOGWARN', [logLines('rcpt', [LOGWARN, 'rcpt']), logLines('mail', [LOGERROR, 'mail']), 'rcpt_ok']);
  t.same(r.log, [
    'P log_lines plugin: mail',
    'P log_lines plugin: rcpt',
    'P ` log_lines plugin: mail',
    'P ` log_lines plugin: rcpt',
    'P log_lines plugin: mail',
    'P log_lines plugin: rcpt',
    'P ` log_lines plugin: mail',
    'P ` log_lines plugin: rcpt',
  ]);
});

t.test('accept, reject and prefix; lines of the core and of the hook runner', async (t) => {
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), 'logging/adaptive accept 7 reject LOGDEBUG prefix >>', [
    logLines('mail', [LOGWARN, 'warn']),
  ]);
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@x.test>'), BYE]);
  const at = r.log.indexOf('P dispatching QUIT');
  const transaction = r.log.slice(r.log.indexOf('P >> running plugin (mail): log_lines'));
  t.same(transaction.slice(0, 3), ['P >> running plugin (mail): log_lines', 'P >> log_lines plugin: warn', 'P >> log_lines plugin: Plugin log_lines, hook mail returned DECLINED, ']);
  t.ok(at > 0 && r.log.slice(at).includes('P >> dispatching QUIT'), 'the core\'s lines, kept and written again at the end');
  t.ok(r.log.includes('P running plugin (mail): log_lines'), 'the hook runner\'s line written at once: "running plugin (<hook>): <plugin>"');
  t.same(r.log.filter((line) => line.includes('logging::adaptive plugin:')), [], 'not its own lines');
});

t.test('reject is the limit of what is kept, too', async (t) => {
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'QUIT'), 'logging/adaptive accept LOGINFO reject LOGNOTICE', [AT_RCPT, 'rcpt_ok']);
  t.same(r.log, [
    'P Connection from [127.0.0.1] [127.0.0.1]',
    'P ` Connection from [127.0.0.1] [127.0.0.1]',
    'P log_lines plugin: error',
    'P log_lines plugin: warn',
    'P log_lines plugin: notice',
    'P ` log_lines plugin: error',
    'P ` log_lines plugin: warn',
    'P ` log_lines plugin: notice',
  ]);
});

t.test('a connection without a transaction (no HELO) writes its kept lines at the end', async (t) => {
  const r = await session(t, crlf('QUIT'), 'logging/adaptive', [logLines('connect', [LOGERROR, 'hello'])]);
  t.same(r.lines, [GREETING, BYE]);
  t.same(r.log, ['P log_lines plugin: hello', 'P ` log_lines plugin: hello']);
});

t.test('memory stays bounded: past 1 MiB a transaction\'s lines are counted, not kept', async (t) => {
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), 'logging/adaptive', [logLines('mail', [LOGERROR, 'x'.repeat(1000), 1100])]);
  const line = `P log_lines plugin: ${'x'.repeat(1000)}`;
  const kept = r.log.filter((l) => l === line.replace('P ', 'P ` '));
  t.equal(r.log.filter((l) => l === line).length, 1100, 'every line written at once');
  // A kept line is " log_lines plugin: " and the message: 1019 characters, 1029 of them in 1 MiB.
  t.equal(kept.length, 1029, 'the lines that fit in 1 MiB written again');
  t.same(r.log.slice(-1), ['P logging/adaptive: 71 lines of this transaction were not kept (over 1048576 bytes)']);
});

t.test('broken arguments stop the start-up', async (t) => {
  const cases: [string, RegExp][] = [
    ['logging/adaptive accept', /logging\/adaptive: arguments come in pairs/],
    ['logging/adaptive accept LOUD', /logging\/adaptive: not a log level: LOUD/],
    ['logging/adaptive reject LOUD', /logging\/adaptive: not a log level: LOUD/],
    ['logging/adaptive level 4', /logging\/adaptive: unknown argument level/],
  ];
  for (const [line, error] of cases) {
    const r = await pluginSession(t, crlf('QUIT'), { config: { logging: line } });
    t.same(r.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`], line);
    t.match(r.stderr, error, line);
  }
});
