// bogus_bounce through dist/qpsmtpd: what a bounce is, the recipient count
// and Return-Path checks as qpsmtpd documents them, and every argument form.
// Checked against Debian's qpsmtpd 0.94 (test/vectors/bogus_bounce,
// test/vectors/naughty-mail), except where its code never did what its
// documentation says (docs/differences.md, bogus_bounce).

import t, { type Test } from 'tap';
import { noteProbe } from '../helpers/note-probe';
import { BYE, GO_AHEAD, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const QUEUED = '250 Queued! ';
const REFUSAL = 'a bounce return path must be empty (RFC 3834)';
const NOT_ONE = 'fail, this bounce message does not have 1 recipient';

/** One message from `sender` to the recipients with these header lines; the replies after DATA's 354. */
async function send(t: Test, plugin: string, sender: string, header: string[], recipients = ['<b@example.com>']) {
  const input = crlf('HELO x', `MAIL FROM:${sender}`, ...recipients.map((r) => `RCPT TO:${r}`), 'DATA', ...header, '', 'x', '.', 'QUIT');
  const probe = noteProbe(t);
  const r = await pluginSession(t, input, { plugins: [plugin, probe.plugin, ...QUEUE], args: probe.args });
  t.same(r.lines.slice(2, 4 + recipients.length), [SENDER_OK(sender), ...recipients.map(RCPT_OK), GO_AHEAD]);
  return { replies: r.lines.slice(4 + recipients.length), stderr: r.stderr, notes: probe.notes(r.stderr) };
}

const RETURN_PATH = ['Return-Path: <someone@sender.test>'];

t.test('reject 1: a bounce with a Return-Path value is refused (552, or 452 with reject_type temp)', async (t) => {
  t.same((await send(t, 'bogus_bounce reject 1', '<>', RETURN_PATH)).replies, [`552 ${REFUSAL}`, BYE]);
  t.same((await send(t, 'bogus_bounce reject 1 reject_type temp', '<>', RETURN_PATH)).replies, [`452 ${REFUSAL}`, BYE]);
  t.same((await send(t, 'bogus_bounce reject 1 reject_type disconnect', '<>', RETURN_PATH)).replies, [`552 ${REFUSAL}`]);
});

t.test('a Return-Path with an address is refused; "<>" and an empty field are not', async (t) => {
  t.same((await send(t, 'bogus_bounce reject 1', '<>', ['return-path: <>'])).replies, [QUEUED, BYE]);
  t.same((await send(t, 'bogus_bounce reject 1', '<>', ['Return-Path:   '])).replies, [QUEUED, BYE]);
  t.same((await send(t, 'bogus_bounce reject 1', '<>', ['Return-Path: <x@sender.test>'])).replies, [`552 ${REFUSAL}`, BYE]);
});

t.test('a bounce to more than one recipient is refused', async (t) => {
  const r = await send(t, 'bogus_bounce reject 1', '<>', ['Subject: x'], ['<b@example.com>', '<c@example.com>']);
  t.same(r.replies, [`552 ${NOT_ONE}`, BYE]);
  t.match(r.stderr, /bogus_bounce: fail, bogus bounce to: b@example\.com,c@example\.com/);
});

t.test('what passes: no Return-Path, or a sender that is not <>', async (t) => {
  const clean = await send(t, 'bogus_bounce reject 1', '<>', ['Subject: bounce']);
  t.same(clean.replies, [QUEUED, BYE]);
  t.match(clean.stderr, /bogus_bounce: pass, single recipient, empty Return-Path/);
  const notBounce = await send(t, 'bogus_bounce reject 1', '<a@sender.test>', RETURN_PATH);
  t.same(notBounce.replies, [QUEUED, BYE]);
  t.match(notBounce.stderr, /bogus_bounce: pass, not a null sender/);
});

t.test('log only: no arguments, reject 0, and the one-word log', async (t) => {
  for (const plugin of ['bogus_bounce', 'bogus_bounce reject 0', 'bogus_bounce log', 'bogus_bounce deny reject 0']) {
    const r = await send(t, plugin, '<>', RETURN_PATH);
    t.same(r.replies, [QUEUED, BYE], plugin);
    t.match(r.stderr, /bogus_bounce: fail, bounce messages must not have a Return-Path/);
    t.match(r.stderr, /bogus_bounce: fail, tolerated/);
  }
});

t.test('the one-word deny and denysoft refuse, as qpsmtpd documents them; pairs may follow', async (t) => {
  t.same((await send(t, 'bogus_bounce deny', '<>', RETURN_PATH)).replies, [`552 ${REFUSAL}`, BYE]);
  t.same((await send(t, 'bogus_bounce denysoft', '<>', RETURN_PATH)).replies, [`452 ${REFUSAL}`, BYE]);
  t.same((await send(t, 'bogus_bounce deny reject_type disconnect', '<>', RETURN_PATH)).replies, [`552 ${REFUSAL}`]);
});

t.test('an unknown action stops start-up', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: ['bogus_bounce refuse', ...QUEUE] });
  t.match(r.lines[0], /^421 /);
  t.match(r.stderr, /bogus_bounce: unknown action "refuse" \(log, deny or denysoft\)/);
});

t.test('"action denysoft" in the key/value form makes the refusal temporary', async (t) => {
  t.same((await send(t, 'bogus_bounce action denysoft reject 1', '<>', RETURN_PATH)).replies, [`452 ${REFUSAL}`, BYE]);
});

t.test('reject naughty: accepted, the refusal deferred', async (t) => {
  const r = await send(t, 'bogus_bounce reject naughty reject_type temp', '<>', RETURN_PATH);
  t.same(r.replies, [QUEUED, BYE]);
  t.same(r.notes, { karma: undefined, naughty: `(bogus_bounce) ${REFUSAL}`, naughty_reject_type: 'temp' });
});
