// noop_counter through dist/qpsmtpd; the replies were checked against
// Debian's qpsmtpd 0.94 (test/vectors/noop_counter).

import t from 'tap';
import { BYE, GREETING, HELO_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const STOP = '500 Stop wasting my time, too many consecutive NOOPs';
const OK = '250 OK';

t.test('the third NOOP in a row (default) gets 500 and the connection is closed', async (t) => {
  const r = await pluginSession(t, crlf('NOOP', 'NOOP', 'NOOP', 'NOOP', 'QUIT'), { plugins: ['noop_counter'] });
  t.same(r.lines, [GREETING, OK, OK, STOP]);
  t.equal(r.code, 0);
});

t.test('the argument sets the number; 0 or a non-number keep the default 3', async (t) => {
  const input = crlf('NOOP', 'NOOP', 'NOOP', 'NOOP', 'NOOP', 'NOOP', 'QUIT');
  const cases: [string, string[]][] = [
    ['noop_counter 1', [GREETING, STOP]],
    ['noop_counter 5', [GREETING, OK, OK, OK, OK, STOP]],
    ['noop_counter 0', [GREETING, OK, OK, STOP]],
    ['noop_counter many', [GREETING, OK, OK, STOP]],
  ];
  for (const [plugin, lines] of cases) t.same((await pluginSession(t, input, { plugins: [plugin] })).lines, lines, plugin);
});

t.test('HELO, EHLO, MAIL, RCPT, DATA, RSET, VRFY and HELP start the count again', async (t) => {
  // RCPT reaches the hooks only after a MAIL (without one it gets 503 first, and counts for nothing).
  const between: [string[], string][] = [
    [[], 'HELO x'],
    [[], 'EHLO x'],
    [[], 'MAIL FROM:<a@x.test>'],
    [['HELO x', 'MAIL FROM:<a@x.test>'], 'RCPT TO:<b@example.com>'],
    [[], 'DATA'],
    [[], 'RSET'],
    [[], 'VRFY postmaster'],
    [[], 'HELP'],
  ];
  for (const [before, command] of between) {
    const r = await pluginSession(t, crlf(...before, 'NOOP', 'NOOP', command, 'NOOP', 'NOOP', 'QUIT'), { plugins: ['noop_counter'] });
    t.same(r.lines.slice(1 + before.length, 3 + before.length), [OK, OK], command);
    t.same(r.lines.slice(-3), [OK, OK, BYE], `${command}: two more NOOPs are fine`);
  }
  const r = await pluginSession(t, crlf('NOOP', 'NOOP', 'RCPT TO:<b@example.com>', 'NOOP', 'QUIT'), { plugins: ['noop_counter'] });
  t.same(r.lines, [GREETING, OK, OK, '503 Use MAIL before RCPT', STOP], 'a RCPT refused before its hooks does not count');
});

t.test('unknown commands and QUIT do not reset the count', async (t) => {
  const r = await pluginSession(t, crlf('NOOP', 'FOO', 'NOOP', 'NOOP', 'QUIT'), { plugins: ['noop_counter'] });
  t.same(r.lines, [GREETING, OK, '500 Unrecognized command', OK, STOP]);
});

t.test('a whole transaction between NOOPs', async (t) => {
  const input = crlf('HELO x', 'NOOP', 'NOOP', 'MAIL FROM:<a@x.test>', 'NOOP', 'NOOP', 'NOOP', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['noop_counter', 'rcpt_ok'] });
  t.same(r.lines, [GREETING, HELO_OK, OK, OK, SENDER_OK('<a@x.test>'), OK, OK, STOP]);
});
