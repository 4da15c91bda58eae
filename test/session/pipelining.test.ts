// Pipelining (behaviour §1.5, §9.14): a whole session sent in one write
// gets the same replies, in order, and stores the same messages as the
// same bytes cut into tiny pieces.

import t from 'tap';
import { DENY, OK } from '../../src/constants';
import { answer, crlf, type MockHook } from '../helpers/harness';
import { BYE, EHLO_OK, GREETING, HELP_LINES, RCPT_OK, SENDER_OK, transcript, VERSION } from '../helpers/session-tools';

const SESSION =
  crlf(
    'EHLO client.example',
    'MAIL FROM:<a@b.c> SIZE=100',
    'RCPT TO:<d@e.f>',
    'RCPT TO:<g@h.i>',
    'DATA',
    'From: a@b.c',
    'Subject: first',
    ' folded',
    '',
    'line one',
    '..stuffed',
    '.x',
    '',
    '.',
    'MAIL FROM:<>',
    'RCPT TO:<d@e.f>',
    'DATA',
  ) +
  'Subject: second\nX-Bare: lf\r\n\r\nbody with bare lf\nand a CR\rinside\r\n.\r\n' +
  crlf('RSET', 'NOOP', 'HELP', 'FOO', 'VRFY x', 'QUIT');

const EXPECTED = [
  GREETING,
  ...EHLO_OK,
  SENDER_OK('<a@b.c>'),
  RCPT_OK('<d@e.f>'),
  RCPT_OK('<g@h.i>'),
  '354 go ahead',
  '250 Queued',
  SENDER_OK('<>'),
  RCPT_OK('<d@e.f>'),
  '354 go ahead',
  '250 Queued',
  '250 OK',
  '250 OK',
  ...HELP_LINES,
  '500 Unrecognized command',
  "252 Just try sending a mail and we'll see how it turns out ...",
  BYE,
];

/** A queue hook that keeps every message: header (dates taken out) and body. */
function keeper(messages: string[]): MockHook {
  return (transaction) => {
    const header = transaction.header()?.as_string().replace(/( with E?SMTP[^;\n]*); [^\n]*\n/, '$1; <date>\n') ?? '';
    transaction.body_resetpos();
    let body = '';
    for (let line = transaction.body_getline(); line; line = transaction.body_getline()) body += line.toString('latin1');
    messages.push(`${transaction.sender()?.format()} ${transaction.recipients().join(',')}\n${header}${body}`);
    return OK;
  };
}

t.test('the whole session in one chunk', async (t) => {
  const messages: string[] = [];
  const r = await transcript(t, SESSION, { hooks: { rcpt: answer(OK), queue: keeper(messages) } });
  t.same(r.lines, EXPECTED);
  t.same(messages, [
    '<a@b.c> <d@e.f>,<g@h.i>\n' +
      'Authentication-Results: mx.example.test; auth=none\n' +
      'Received: from [127.0.0.1] (HELO client.example) (127.0.0.1)\n' +
      ` by mx.example.test (qpsmtpd-ts/${VERSION}) with ESMTP ; <date>\n` +
      'From: a@b.c\nSubject: first\n folded\n\nline one\n.stuffed\n.x\n\n',
    '<> <d@e.f>\n' +
      'Authentication-Results: mx.example.test; auth=none\n' +
      'Received: from [127.0.0.1] (HELO client.example) (127.0.0.1)\n' +
      ` by mx.example.test (qpsmtpd-ts/${VERSION}) with ESMTP ; <date>\n` +
      'Subject: second\nX-Bare: lf\n\nbody with bare lf\nand a CR\rinside\n',
  ]);
});

for (const size of [1, 2, 3, 5, 7, 64]) {
  t.test(`the same bytes in chunks of ${size}: the same replies and the same messages`, async (t) => {
    const whole: string[] = [];
    const pieces: string[] = [];
    const a = await transcript(t, SESSION, { hooks: { rcpt: answer(OK), queue: keeper(whole) } });
    const b = await transcript(t, SESSION, { chunkSize: size, hooks: { rcpt: answer(OK), queue: keeper(pieces) } });
    t.same(b.lines, EXPECTED);
    t.equal(b.output, a.output);
    t.same(pieces, whole);
  });
}

t.test('pipelined MAIL, RCPT, RCPT, DATA, message and QUIT in one write (behaviour §9.14)', async (t) => {
  const r = await transcript(t, crlf('HELO x') + crlf('MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'RCPT TO:<g@h.i>', 'DATA', 'Subject: s', '', 'b', '.', 'QUIT'), {
    hooks: { rcpt: answer(OK), queue: answer(OK) },
  });
  t.same(r.lines.slice(2), [SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), RCPT_OK('<g@h.i>'), '354 go ahead', '250 Queued', BYE]);
});

t.test('pipelined commands after a refusal are still answered one by one', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<bad@e.f>', 'RCPT TO:<good@e.f>', 'DATA', 'Subject: s', '', 'b', '.', 'QUIT');
  for (const chunkSize of [undefined, 1]) {
    const r = await transcript(t, input, {
      chunkSize,
      hooks: { rcpt: (_t, to) => (String(to) === '<bad@e.f>' ? [DENY, 'no such user'] : OK), queue: answer(OK) },
    });
    t.same(r.lines.slice(2), [SENDER_OK('<a@b.c>'), '550 no such user', RCPT_OK('<good@e.f>'), '354 go ahead', '250 Queued', BYE], `chunks of ${chunkSize ?? 'all'}`);
  }
});
