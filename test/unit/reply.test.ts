// src/smtp/reply.ts: formatting replies (behavior §1.6; decision 3: every
// command gets exactly one complete reply).

import t from 'tap';
import { formatReply } from '../../src/smtp/reply';

t.test('one line', async (t) => {
  t.equal(formatReply(250, ['OK']), '250 OK\r\n');
  t.equal(formatReply(550, ['<a@b.c>, denied']), '550 <a@b.c>, denied\r\n');
});

t.test('several lines: "-" after the code on all but the last', async (t) => {
  t.equal(formatReply(250, ['mx Hi', 'PIPELINING', '8BITMIME']), '250-mx Hi\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
  t.equal(formatReply(214, ['a', 'b']), '214-a\r\n214 b\r\n');
});

t.test('messages are split at line breaks of any kind', async (t) => {
  t.equal(formatReply(550, ['a\nb']), '550-a\r\n550 b\r\n');
  t.equal(formatReply(550, ['a\r\nb']), '550-a\r\n550 b\r\n', 'no stray CR (qpsmtpd wrote \\r\\r\\n)');
  t.equal(formatReply(550, ['a\rb']), '550-a\r\n550 b\r\n', 'a bare CR cannot reach the wire');
  t.equal(formatReply(550, ['a\n', 'b']), '550-a\r\n550 b\r\n');
});

t.test('empty pieces are dropped, not the rest of the reply (decision 3)', async (t) => {
  t.equal(formatReply(550, ['a', '', 'b']), '550-a\r\n550 b\r\n', 'qpsmtpd stopped at the empty message and left 550-a unfinished');
  t.equal(formatReply(550, ['', 'b']), '550 b\r\n');
  t.equal(formatReply(550, ['a\n\nb']), '550-a\r\n550 b\r\n');
  t.equal(formatReply(250, ['0']), '250 0\r\n', '"0" is text, not a false value');
});

t.test('undefined and null are skipped; other values become text', async (t) => {
  t.equal(formatReply(451, [undefined, 'x', null]), '451 x\r\n');
  t.equal(formatReply(250, [42]), '250 42\r\n');
});

t.test('no text at all: the bare code, still a complete reply', async (t) => {
  t.equal(formatReply(550, []), '550\r\n');
  t.equal(formatReply(450, ['']), '450\r\n');
  t.equal(formatReply(450, [undefined, '\n']), '450\r\n');
});

t.test('spaces inside lines are kept', async (t) => {
  t.equal(formatReply(250, ['  indented  ']), '250   indented  \r\n');
});
