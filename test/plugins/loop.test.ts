// loop (and its old name check_loop) through dist/qpsmtpd: Received and
// Delivered-To fields counted, our own Received included, the max argument
// and its fallbacks. Checked against Debian's qpsmtpd 0.94
// (test/vectors/naughty, cases 09 and 10).

import t, { type Test } from 'tap';
import { BYE, GO_AHEAD, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const QUEUE = ['rcpt_ok', 'queue/maildir @WORK@/maildir'];
const QUEUED = '250 Queued! ';
const TOO_MANY = '552 Too many hops (#5.4.6)';

/** A session with one message per header list; the replies after HELO. */
async function replies(t: Test, plugin: string, ...messages: string[][]): Promise<string[]> {
  const input = crlf(
    'HELO x',
    ...messages.flatMap((header) => ['MAIL FROM:<a@sender.test>', 'RCPT TO:<b@example.com>', 'DATA', ...header, '', 'Received: body lines do not count', '.']),
    'QUIT',
  );
  const r = await pluginSession(t, input, { plugins: [plugin, ...QUEUE] });
  return r.lines.slice(2);
}

const received = (n: number): string[] => Array.from({ length: n }, (_, i) => `Received: from hop${i}`);
const envelope = [SENDER_OK('<a@sender.test>'), RCPT_OK('<b@example.com>'), GO_AHEAD];

t.test('max hops: Received plus Delivered-To, our own Received counted', async (t) => {
  const r = await replies(t, 'loop 4', received(2), received(3), ['Delivered-To: x@example.com', 'DELIVERED-TO: y@example.com', 'received: from z']);
  t.same(r, [...envelope, QUEUED, ...envelope, TOO_MANY, ...envelope, TOO_MANY, BYE]);
});

t.test('loop 1 refuses every message (ours is a hop)', async (t) => {
  t.same(await replies(t, 'loop 1', ['Subject: x']), [...envelope, TOO_MANY, BYE]);
});

t.test('the default is 100', async (t) => {
  t.same(await replies(t, 'loop', received(98), received(99)), [...envelope, QUEUED, ...envelope, TOO_MANY, BYE]);
});

t.test('0 and anything that is not a number mean the default; extra arguments are ignored', async (t) => {
  t.same(await replies(t, 'loop 0', received(98), received(99)), [...envelope, QUEUED, ...envelope, TOO_MANY, BYE]);
  const input = crlf('HELO x', 'QUIT');
  const invalid = await pluginSession(t, input, { plugins: ['loop many', ...QUEUE] });
  t.match(invalid.stderr, /loop: Invalid max_hops value -- using default/);
  t.same(await replies(t, 'loop many', received(99)), [...envelope, TOO_MANY, BYE]);
  const extra = await pluginSession(t, input, { plugins: ['loop 5 6', ...QUEUE] });
  t.match(extra.stderr, /loop: Ignoring additional arguments/);
  t.same(await replies(t, 'loop 5 6', received(3), received(4)), [...envelope, QUEUED, ...envelope, TOO_MANY, BYE]);
});

t.test('check_loop is the same plugin', async (t) => {
  t.same(await replies(t, 'check_loop 3', received(1), received(2)), [...envelope, QUEUED, ...envelope, TOO_MANY, BYE]);
});
