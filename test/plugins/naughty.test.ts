// naughty through dist/qpsmtpd: each "reject" phase, the reject type from
// the note or from naughty's own argument, the data_post fallback, several
// deferred reasons, and naughty with badmailfrom and headers deferring to it.
// Replies checked against Debian's qpsmtpd 0.94 (test/vectors/naughty,
// test/vectors/naughty-mail).

import t, { type Test } from 'tap';
import { noteProbe } from '../helpers/note-probe';
import { BYE, GO_AHEAD, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const MAIL = 'MAIL FROM:<alice@sender.test>';
const RCPT = 'RCPT TO:<bob@example.com>';
const MESSAGE = ['DATA', 'From: alice@sender.test', 'Subject: hi', '', 'x', '.'];
const SESSION = crlf('HELO x', MAIL, RCPT, ...MESSAGE, 'QUIT');
const QUEUED = '250 Queued! ';

/** A session where set_note stores "listed here" (and maybe a type) at connect, before naughty runs. */
async function deferredAtConnect(t: Test, naughty: string, input: string, type?: string) {
  const probe = noteProbe(t);
  const setters = ['set_note naughty listed here', ...(type ? [`set_note naughty_reject_type ${type}`] : [])];
  return pluginSession(t, input, { plugins: [...setters, naughty, ...QUEUE], args: probe.args });
}

t.test('nothing deferred: naughty passes at every phase', async (t) => {
  for (const phase of ['connect', 'mail', 'rcpt', 'data', 'data_post']) {
    const r = await pluginSession(t, SESSION, { plugins: [`naughty reject ${phase}`, ...QUEUE] });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), GO_AHEAD, QUEUED, BYE], phase);
    t.match(r.stderr, /naughty: pass/);
    t.equal(r.delivered.length, 1);
  }
});

t.test('reject rcpt is the default; the type defaults to disconnect', async (t) => {
  const r = await deferredAtConnect(t, 'naughty', SESSION);
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<alice@sender.test>'), '550 listed here']);
  t.match(r.stderr, /naughty: disconnecting/);
});

t.test('reject connect: refused before the greeting', async (t) => {
  const r = await deferredAtConnect(t, 'naughty reject connect', SESSION);
  t.same(r.lines, ['550 listed here']);
});

t.test('reject mail with the stored type temp: 450, and again at every MAIL (the note stays)', async (t) => {
  const r = await deferredAtConnect(t, 'naughty reject mail', crlf('HELO x', MAIL, RCPT, MAIL, 'QUIT'), 'temp');
  t.same(r.lines, [GREETING, HELO_OK, '450 listed here', '503 Use MAIL before RCPT', '450 listed here', BYE]);
});

t.test('reject data: 554 and close; temp_disconnect: 451 and close', async (t) => {
  const perm = await deferredAtConnect(t, 'naughty reject data', SESSION);
  t.same(perm.lines, [GREETING, HELO_OK, SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), '554 listed here']);
  const temp = await deferredAtConnect(t, 'naughty reject data', SESSION, 'temp_disconnect');
  t.same(temp.lines, [GREETING, HELO_OK, SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), '451 listed here']);
});

t.test('reject data_post with the stored type perm: 552 for every message, the session goes on', async (t) => {
  const r = await deferredAtConnect(t, 'naughty reject data_post', crlf('HELO x', MAIL, RCPT, ...MESSAGE, MAIL, RCPT, ...MESSAGE, 'QUIT'), 'perm');
  const transaction = [SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), GO_AHEAD, '552 listed here'];
  t.same(r.lines, [GREETING, HELO_OK, ...transaction, ...transaction, BYE]);
  t.equal(r.delivered.length, 0);
});

t.test("naughty's own reject_type counts only when the deferring plugin left none", async (t) => {
  const own = await deferredAtConnect(t, 'naughty reject mail reject_type temp', crlf('HELO x', MAIL, 'QUIT'));
  t.same(own.lines.slice(2), ['450 listed here', BYE]);
  const stored = await deferredAtConnect(t, 'naughty reject mail reject_type temp', crlf('HELO x', MAIL, 'QUIT'), 'perm');
  t.same(stored.lines.slice(2), ['550 listed here', BYE]);
  const unknown = await deferredAtConnect(t, 'naughty reject mail', crlf('HELO x', MAIL, 'QUIT'), 'sometimes');
  t.same(unknown.lines.slice(2), ['550 listed here'], 'an unknown type is disconnect');
});

t.test('data_post is hooked too, for a deferral that comes after the chosen phase', async (t) => {
  // headers defers at data_post, after naughty's mail hook has passed.
  const r = await pluginSession(t, SESSION.replace('From: alice@sender.test\r\n', ''), {
    plugins: ['headers reject 0', 'naughty reject mail', ...QUEUE],
  });
  t.same(r.lines.slice(4), [GO_AHEAD, '552 We require a valid From header', BYE]);
});

t.test('an unknown phase is logged and only data_post is hooked', async (t) => {
  const r = await deferredAtConnect(t, 'naughty reject helo', SESSION);
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), GO_AHEAD, '552 listed here']);
  t.match(r.stderr, /naughty: fail, invalid hook helo/);
  const check = await pluginSession(t, '', { plugins: ['naughty reject helo', 'naughty:1 reject MAIL', 'naughty:2 Rcpt'], args: ['--check'] });
  t.match(check.output.toString(), /\[naughty, bundled\]: data_post\n/);
  t.match(check.output.toString(), /\[naughty_3a1, bundled\]: data_post, mail\n/, 'the phase is case-insensitive');
  t.match(check.output.toString(), /\[naughty_3a2, bundled\]: data_post, rcpt\n/, 'odd arguments: the default phase');
  t.match(check.stderr, /naughty_3a2: Bad arguments/);
});

t.test('several reasons make a multi-line reply, each line ending in CRLF', async (t) => {
  const probe = noteProbe(t);
  const r = await pluginSession(t, crlf('HELO x', MAIL, 'QUIT'), {
    plugins: ['set_note naughty first reason\\r\\nsecond reason', 'naughty reject mail', ...QUEUE],
    args: probe.args,
  });
  t.equal(r.output.toString().split('\r\n').slice(2).join('|'), '550-first reason|550 second reason|');
});

t.test('with badmailfrom and headers deferring to it', async (t) => {
  const probe = noteProbe(t);
  const plugins = ['badmailfrom reject naughty', 'headers reject 0 reject_type temp require From,Date', 'naughty reject data_post', probe.plugin, ...QUEUE];
  const dated = ['DATA', 'From: alice@sender.test', 'Date: Tue, 1 Jul 2003 10:52:37 +0200', '', 'x', '.'];
  const input = crlf('HELO x', 'MAIL FROM:<bad@evil.test>', RCPT, ...MESSAGE, MAIL, RCPT, ...dated, 'QUIT');
  const r = await pluginSession(t, input, { plugins, config: { badmailfrom: 'bad@evil.test' }, args: probe.args });
  // badmailfrom left no reject_type, so the first type stored is headers' (temp).
  const refused = ['452-(badmailfrom) Your envelope sender is in my badmailfrom list', '452 We require a valid Date header'];
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<bad@evil.test>'),
    RCPT_OK('<bob@example.com>'),
    GO_AHEAD,
    ...refused,
    SENDER_OK('<alice@sender.test>'),
    RCPT_OK('<bob@example.com>'),
    GO_AHEAD,
    ...refused,
    BYE,
  ]);
  t.equal(r.delivered.length, 0);
  t.same(probe.notes(r.stderr), {
    karma: -2,
    naughty: '(badmailfrom) Your envelope sender is in my badmailfrom list\r\nWe require a valid Date header',
    naughty_reject_type: 'temp',
  });
});
