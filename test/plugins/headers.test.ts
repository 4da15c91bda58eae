// headers through dist/qpsmtpd: required and single-instance fields, Date
// limits (dates relative to now, days away from the limits), the empty
// message, every reject and reject_type form, the deferred copies naughty
// reads, immune clients. The fixed-date replies are also in the conformance
// suites test/vectors/headers and test/vectors/naughty (Debian's 0.94).

import t, { type Test } from 'tap';
import { noteProbe } from '../helpers/note-probe';
import { BYE, GO_AHEAD, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const ENVELOPE = [SENDER_OK('<alice@sender.test>'), RCPT_OK('<bob@example.com>'), GO_AHEAD];
const QUEUED = '250 Queued! ';
const DAY = 24 * 3600 * 1000;

/** One message with these header lines (and a one-line body), then QUIT. */
function session(...header: string[]): string {
  return crlf('HELO x', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<bob@example.com>', 'DATA', ...header, '', 'x', '.', 'QUIT');
}

/** The replies after the greeting, HELO and envelope of a one-message session. */
function afterData(t: Test, lines: string[]): string[] {
  t.same(lines.slice(0, 5), [GREETING, HELO_OK, ...ENVELOPE]);
  return lines.slice(5);
}

/** A Date value `days` from now. */
const dateIn = (days: number): string => new Date(Date.now() + days * DAY).toUTCString();

t.test('defaults: From required (Date not), reject 1 with the reject type perm', async (t) => {
  const probe = noteProbe(t);
  const missing = await pluginSession(t, session('Subject: no from'), { plugins: ['headers', probe.plugin, ...QUEUE], args: probe.args });
  // The finding is the reply (qpsmtpd sent its reject type's number, "552 901": docs/differences.md).
  t.same(afterData(t, missing.lines), ['552 We require a valid From header', BYE]);
  t.same(probe.notes(missing.stderr), { karma: -1, naughty: 'We require a valid From header', naughty_reject_type: 'perm' });
  t.match(missing.stderr, /headers: fail, no From header/);
  t.match(missing.stderr, /headers: fail, RFC 5322 validation errors/);

  const fine = await pluginSession(t, session('From: alice@sender.test', 'Subject: no date'), { plugins: ['headers', ...QUEUE] });
  t.same(afterData(t, fine.lines), [QUEUED, BYE]);
  t.equal(fine.delivered.length, 1);
  t.match(fine.stderr, /headers: pass/);
});

t.test('require: a comma-separated list; names match in any case; an empty value is missing', async (t) => {
  const probe = noteProbe(t);
  const r = await pluginSession(t, session('from: alice@sender.test', 'MESSAGE-ID: <1@x>', 'Date:   '), {
    plugins: ['headers require From,Date,Subject,Message-ID', probe.plugin, ...QUEUE],
    args: probe.args,
  });
  t.same(afterData(t, r.lines), ['552-We require a valid Date header', '552 We require a valid Subject header', BYE]);
  t.same(probe.notes(r.stderr), {
    karma: -2,
    naughty: 'We require a valid Date header\r\nWe require a valid Subject header',
    naughty_reject_type: 'perm',
  });
});

t.test('fields allowed once: each repeat is an error, in a fixed order', async (t) => {
  const probe = noteProbe(t);
  const once = ['Date', 'From', 'Sender', 'Reply-To', 'To', 'Cc', 'Bcc', 'Message-Id', 'In-Reply-To', 'References', 'Subject'];
  const header = [...once, ...[...once].reverse()].map((name) => `${name.toUpperCase()}: ${name} value`);
  const r = await pluginSession(t, session(...header, 'Received: from a', 'Received: from b', 'Comments: one', 'Comments: two'), {
    plugins: ['headers reject_type perm', probe.plugin, ...QUEUE],
    args: probe.args,
  });
  const findings = once.map((name) => `Only one ${name} header allowed. See RFC 5322, Section 3.6`);
  t.same(afterData(t, r.lines), [...findings.slice(0, -1).map((f) => `552-${f}`), `552 ${findings.at(-1)}`, BYE]);
  const notes = probe.notes(r.stderr);
  t.equal(notes.naughty, once.map((name) => `Only one ${name} header allowed. See RFC 5322, Section 3.6`).join('\r\n'));
  t.equal(notes.karma, -11);

  // As in qpsmtpd, a repeat goes unnoticed when the first field is empty.
  const missed = await pluginSession(t, session('From: a@b.test', 'Subject:', 'Subject: two'), { plugins: ['headers', ...QUEUE] });
  t.same(afterData(t, missed.lines), [QUEUED, BYE]);
});

t.test('reject_type: the refusal code, and a disconnect after it', async (t) => {
  const text = 'We require a valid From header';
  const cases: [string, string[]][] = [
    ['temp', [`452 ${text}`, BYE]],
    ['soft', [`452 ${text}`, BYE]],
    ['perm', [`552 ${text}`, BYE]],
    ['hard', [`552 ${text}`, BYE]],
    ['disconnect', [`552 ${text}`]],
    ['temp_disconnect', [`452 ${text}`]],
  ];
  for (const [type, expected] of cases) {
    const r = await pluginSession(t, session('Subject: no from'), { plugins: [`headers reject_type ${type}`, ...QUEUE] });
    t.same(afterData(t, r.lines), expected, type);
  }
});

t.test('reject 0: accepted, but the findings are still deferred for naughty (quirk 35)', async (t) => {
  const probe = noteProbe(t);
  const r = await pluginSession(t, session('Subject: no from'), { plugins: ['headers reject 0 reject_type temp', probe.plugin, ...QUEUE], args: probe.args });
  t.same(afterData(t, r.lines), [QUEUED, BYE]);
  t.same(probe.notes(r.stderr), { karma: -1, naughty: 'We require a valid From header', naughty_reject_type: 'temp' });
  t.match(r.stderr, /headers: fail, tolerated, RFC 5322 validation errors/);
});

t.test('reject naughty: accepted now; the findings are deferred, then again with the plugin name', async (t) => {
  const probe = noteProbe(t);
  const r = await pluginSession(t, session('Subject: no from'), { plugins: ['headers reject naughty', probe.plugin, ...QUEUE], args: probe.args });
  t.same(afterData(t, r.lines), [QUEUED, BYE]);
  t.same(probe.notes(r.stderr), {
    karma: -1,
    naughty: 'We require a valid From header\r\n(headers) We require a valid From header',
    naughty_reject_type: 'perm',
  });
});

t.test('past and future: days from now; unset means unchecked', async (t) => {
  const plugins = ['headers past 3 future 2', ...QUEUE];
  const cases: [string, string][] = [
    [dateIn(-10), '552 The Date header is too far in the past'],
    [dateIn(-1), QUEUED],
    [dateIn(1), QUEUED],
    [dateIn(10), '552 The Date header is too far in the future'],
    ['not a date at all', QUEUED],
  ];
  for (const [date, reply] of cases) {
    const r = await pluginSession(t, session('From: a@b.test', `Date: ${date}`), { plugins });
    t.same(afterData(t, r.lines), [reply, BYE], date);
  }
  const probe = noteProbe(t);
  const old = await pluginSession(t, session('From: a@b.test', `Date: ${dateIn(-10)}`), { plugins: ['headers past 3', probe.plugin, ...QUEUE], args: probe.args });
  t.equal(probe.notes(old.stderr).karma, -1);
  t.match(old.stderr, /headers: fail, date too old/);

  const unchecked = await pluginSession(t, session('From: a@b.test', `Date: ${dateIn(-3000)}`, `Date: ${dateIn(3000)}`), { plugins: ['headers', ...QUEUE] });
  t.same(afterData(t, unchecked.lines), ['552 Only one Date header allowed. See RFC 5322, Section 3.6', BYE], 'without past/future only the repeated Date counts');

  const future = await pluginSession(t, session('From: a@b.test', `Date: ${dateIn(-3000)}`), { plugins: ['headers future 1', ...QUEUE] });
  t.same(afterData(t, future.lines), [QUEUED, BYE], 'future alone does not limit the past');

  const fraction = await pluginSession(t, session('From: a@b.test', `Date: ${dateIn(-1)}`), { plugins: ['headers past 0.5', ...QUEUE] });
  t.same(afterData(t, fraction.lines), ['552 The Date header is too far in the past', BYE], 'days may be fractions');

  const bad = await pluginSession(t, session('From: a@b.test', `Date: ${dateIn(-3000)}`), { plugins: ['headers past many', ...QUEUE] });
  t.same(afterData(t, bad.lines), [QUEUED, BYE]);
  t.match(bad.stderr, /headers: past many is not a number of days; not checked/);
});

t.test('the Date check comes before the summary, and honours reject', async (t) => {
  const old = `Date: ${dateIn(-10)}`;
  const first = await pluginSession(t, session('Subject: no from', old), { plugins: ['headers past 3', ...QUEUE] });
  t.same(afterData(t, first.lines), ['552 The Date header is too far in the past', BYE]);

  const probe = noteProbe(t);
  const naughty = await pluginSession(t, session('From: a@b.test', old), { plugins: ['headers past 3 reject naughty', probe.plugin, ...QUEUE], args: probe.args });
  t.same(afterData(t, naughty.lines), [QUEUED, BYE]);
  t.equal(probe.notes(naughty.stderr).naughty, '(headers) The Date header is too far in the past');

  const tolerated = await pluginSession(t, session('From: a@b.test', old), { plugins: ['headers past 3 reject 0', ...QUEUE] });
  t.same(afterData(t, tolerated.lines), [QUEUED, BYE]);
  t.match(tolerated.stderr, /headers: fail, tolerated, The Date header is too far in the past/);
});

t.test('Date forms: RFC 5322 with zones and comments, two-digit years, asctime, ISO 8601, month first', async (t) => {
  const forms = [
    'Tue, 1 Jul 2003 10:52:37 +0200 (CEST)',
    '1 Jul 03 10:52 GMT',
    'Tue, 01 Jul 2003 10:52:37 EDT',
    'Tue Jul  1 10:52:37 2003',
    '2003-07-01T10:52:37Z',
    '2003-07-01 10:52:37',
    'July 1, 2003',
    '1 Jul 2003',
  ];
  for (const form of forms) {
    const r = await pluginSession(t, session('From: a@b.test', `Date: ${form}`), { plugins: ['headers past 30', ...QUEUE] });
    t.same(afterData(t, r.lines), ['552 The Date header is too far in the past', BYE], form);
  }
  for (const form of ['Tue, 31 Feb 2003 10:52:37 +0200', 'Tue, 1 Jul 2003 25:00:00 +0200', '1 Jul 2003 10:00 XYZ', 'Thu, 01 Jan 1970 00:00:00 +0000', '2003']) {
    const r = await pluginSession(t, session('From: a@b.test', `Date: ${form}`), { plugins: ['headers past 30', ...QUEUE] });
    t.same(afterData(t, r.lines), [QUEUED, BYE], `${form}: not a date, not checked`);
    t.match(r.stderr, /headers: skip, date not parseable/);
  }
});

t.test('an empty message is refused before anything else, immune clients included', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<bob@example.com>', 'DATA', '.', 'QUIT');
  const refused = await pluginSession(t, input, { plugins: ['headers', ...QUEUE] });
  t.same(afterData(t, refused.lines), ['552 You must send some data first', BYE]);
  const relay = await pluginSession(t, input, { plugins: ['relay', 'headers reject_type temp', ...QUEUE], config: { relayclients: '127.0.0.1' } });
  t.same(afterData(t, relay.lines), ['452 You must send some data first', BYE]);
  const tolerated = await pluginSession(t, input, { plugins: ['headers reject 0', ...QUEUE] });
  t.same(afterData(t, tolerated.lines), [QUEUED, BYE]);
});

t.test('immune clients skip the header checks', async (t) => {
  const probe = noteProbe(t);
  const r = await pluginSession(t, session('Subject: a', 'Subject: b'), {
    plugins: ['relay', 'headers past 1', probe.plugin, ...QUEUE],
    config: { relayclients: '127.0.0.1' },
    args: probe.args,
  });
  t.same(afterData(t, r.lines), [QUEUED, BYE]);
  t.same(probe.notes(r.stderr), { karma: undefined, naughty: undefined, naughty_reject_type: undefined });
  t.match(r.stderr, /headers: skip, relay client/);
});

t.test('an odd number of arguments is logged', async (t) => {
  const r = await pluginSession(t, session('From: a@b.test'), { plugins: ['headers past', ...QUEUE] });
  t.same(afterData(t, r.lines), [QUEUED, BYE]);
  t.match(r.stderr, /headers: invalid arguments/);
});
