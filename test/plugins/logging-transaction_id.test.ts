// logging/transaction_id through dist/qpsmtpd: logging/warn's job with the
// transaction's id in front ("<connection id>.<n> <plugin> plugin:
// <message>"); each reset (MAIL, RSET, the end of DATA) starts the next n.

import t, { type Test } from 'tap';
import { LOGCRIT, LOGDEBUG, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { FIXTURE_ARGS, logLines, stderrLines } from '../helpers/logging';
import { GREETING, HELO_OK, ME, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const AT_MAIL = logLines('mail', [LOGCRIT, 'crit'], [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGINFO, 'info'], [LOGDEBUG, 'debug'], [LOGWARN, 'two\nlines']);
const ID = /^(\d{10}-\d+-1)\.(\d+)$/;

async function session(t: Test, input: string, logging: string | string[], plugins = [AT_MAIL]) {
  const r = await pluginSession(t, input, { config: { logging }, plugins, args: FIXTURE_ARGS });
  const log = stderrLines(r.stderr);
  const connection = ID.exec(log[0]?.split(' ')[0] ?? '')?.[1] ?? 'no id';
  return { ...r, log, connection };
}

t.test('the id, the format, and LOGWARN by default', async (t) => {
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), 'logging/transaction_id');
  t.same(r.lines.slice(0, 3), [GREETING, HELO_OK, SENDER_OK('<a@x.test>')]);
  const id = `${r.connection}.2`;
  t.same(r.log, [`${id} log_lines plugin: crit`, `${id} log_lines plugin: warn`, `${id} log_lines plugin: two\\nlines`]);
});

t.test('one number per transaction: the greeting and HELO are the first; MAIL, RSET and the queue start the next', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RSET', 'MAIL FROM:<b@x.test>', 'RCPT TO:<c@example.com>', 'DATA', 'Subject: s', '', 'hi', '.', 'QUIT');
  const r = await session(t, input, 'logging/transaction_id LOGINFO', ['rcpt_ok', 'queue/maildir @WORK@/maildir']);
  t.equal(r.delivered.length, 1);
  const numbered = r.log.map((line) => {
    const [id = '', ...rest] = line.split(' ');
    return `${ID.exec(id)?.[2] ?? id} ${rest.join(' ')}`.replace(/ (\d{3}) .*$/, ' $1').replace(/ delivered to .*/, ' delivered');
  });
  t.same(numbered, [
    '1 Connection from [127.0.0.1] [127.0.0.1]',
    '1 220',
    '1 dispatching HELO x',
    '1 250',
    '1 dispatching MAIL FROM:<a@x.test>',
    '2 250',
    '2 dispatching RSET',
    '3 250',
    '3 dispatching MAIL FROM:<b@x.test>',
    '4 250',
    '4 dispatching RCPT TO:<c@example.com>',
    '4 rcpt_ok plugin: pass: example.com in rcpthosts',
    '4 250',
    '4 dispatching DATA',
    '4 354',
    '4 queue::maildir plugin: delivered',
    // The queue's reply comes after the reset, as in qpsmtpd.
    '5 250',
    '5 dispatching QUIT',
    '5 221',
    '5 click, disconnecting',
  ]);
  t.same(r.log.filter((line) => !line.startsWith(`${r.connection}.`)), [], 'one connection id throughout');
});

t.test('the level argument: a number or a name', async (t) => {
  for (const [arg, wanted] of [
    ['5', ['crit', 'warn', 'notice']],
    ['LOGINFO', ['crit', 'warn', 'notice', 'info']],
    ['DEBUG', ['crit', 'warn', 'notice', 'info', 'debug']],
  ] as [string, string[]][]) {
    const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), `logging/transaction_id ${arg}`);
    const mine = r.log.filter((line) => / log_lines plugin: (crit|warn|notice|info|debug)$/.test(line));
    t.same(mine, wanted.map((m) => `${r.connection}.2 log_lines plugin: ${m}`), `logging/transaction_id ${arg}`);
  }
});

t.test('the hook runner\'s lines, and not its own', async (t) => {
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), 'logging/transaction_id LOGDEBUG');
  t.ok(r.log.includes(`${r.connection}.2 running plugin (mail): log_lines`));
  t.same(r.log.filter((line) => line.includes('Initializing')), []);
});

t.test('a level that is not one stops the start-up', async (t) => {
  const r = await pluginSession(t, crlf('QUIT'), { config: { logging: 'logging/transaction_id LOUD' } });
  t.same(r.lines, [UNAVAILABLE]);
  t.match(r.stderr, /crit start-up failed: .*logging\/transaction_id: not a log level: LOUD\n/);
});
