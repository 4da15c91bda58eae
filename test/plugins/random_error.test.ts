// random_error through dist/qpsmtpd, with the settings whose outcome is
// certain: 100 % fails at connect (450 either way), 0 % and less never
// fail. The connection note random_fail_% changes the rate for later hooks.

import t from 'tap';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const DELIVERY = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: t', '', 'hi', '.', 'QUIT');
const PLUGINS = (arg: string): string[] => [`random_error ${arg}`.trim(), 'rcpt_ok', 'queue/maildir @WORK@/maildir'];

/** fail_from_helo: sets random_fail_% to 100 at HELO (listed before random_error, so its helo hook sees it). */
const HELPER = {
  plugin_dirs: '@WORK@/config',
  'fail_from_helo.js': "module.exports = { hook_helo() { this.connection.notes('random_fail_%', 100); return require('qpsmtpd').DECLINED; } };",
};

t.test('100: the connection fails at connect with 450 random failure', async (t) => {
  const r = await pluginSession(t, DELIVERY, { plugins: PLUGINS('100') });
  t.same(r.lines, ['450 random failure']);
  t.same(r.delivered, []);
  t.match(r.stderr, /info \(connect\) random_error: to fail, rand\(1\) must be more than 0$/m);
});

t.test('0 or a negative percentage never fails', async (t) => {
  for (const arg of ['0', '-1']) {
    const r = await pluginSession(t, DELIVERY, { plugins: PLUGINS(arg) });
    t.same(r.lines.slice(0, 5), [GREETING, HELO_OK, SENDER_OK('<a@x.test>'), RCPT_OK('<b@example.com>'), '354 go ahead'], arg);
    t.match(r.lines[5], /^250 Queued!/);
    t.same(r.lines.slice(6), [BYE]);
    t.equal(r.delivered.length, 1);
  }
});

t.test('the connection note random_fail_% changes the rate after connect', async (t) => {
  const r = await pluginSession(t, DELIVERY, { plugins: ['fail_from_helo', ...PLUGINS('0')], config: HELPER });
  t.same(r.lines.slice(0, 2), [GREETING, '450 random failure'], 'HELO fails');
  // 3 times in 5 a DENYSOFT (the session goes on), else a DENYSOFT_DISCONNECT.
  const rest = r.lines.slice(2);
  t.ok(rest.length === 0 || rest[0] === '503 please say hello first ...', `then closed or still open: ${JSON.stringify(rest)}`);
});

t.test('bad arguments stop the start-up (421)', async (t) => {
  for (const args of ['1 2', 'often']) {
    const r = await pluginSession(t, DELIVERY, { plugins: [`random_error ${args}`] });
    t.same(r.lines, ['421 mx.e2e.test Service temporarily unavailable, closing transmission channel'], args);
    t.equal(r.code, 1);
  }
});
