// src/queue/reply-reader.ts: whole SMTP/LMTP replies from the bytes a
// server sends, however they are split, and a protocol error for anything
// that is not a reply.

import t from 'tap';
import { ReplyReader } from '../../src/queue/reply-reader';

function read(...chunks: string[]): ReplyReader {
  const reader = new ReplyReader();
  for (const chunk of chunks) reader.push(Buffer.from(chunk, 'latin1'));
  return reader;
}

t.test('single and multi-line replies, in order, split anywhere', async (t) => {
  const reader = read('220 ready\r\n250-mx.test\r', '\n250-PIPE', 'LINING\r\n250 8BITMIME\r\n354\r\n');
  t.same(reader.take(), { code: 220, lines: ['ready'] });
  t.same(reader.take(), { code: 250, lines: ['mx.test', 'PIPELINING', '8BITMIME'] });
  t.same(reader.take(), { code: 354, lines: [''] }, 'a reply without text');
  t.equal(reader.take(), undefined);
  t.equal(reader.partial, false);
});

t.test('a bare LF ends a line too; a half reply is partial', async (t) => {
  const reader = read('250 ok\n451-first\n');
  t.same(reader.take(), { code: 250, lines: ['ok'] });
  t.equal(reader.take(), undefined);
  t.equal(reader.partial, true);
});

t.test('text is reduced to printable ASCII', async (t) => {
  t.same(read('550 bad\x01byte \xe9\r\n').take(), { code: 550, lines: ['bad?byte ?'] });
});

t.test('protocol errors: not a reply line, a code change, an endless reply', async (t) => {
  t.match(read('hello\r\n').error, /not a reply line: "hello"/);
  t.match(read('250-a\r\n251 b\r\n').error, /changed its code from 250 to 251/);
  t.match(read('150 one-hundreds are not SMTP\r\n').error, /not a reply line/);
  t.match(read('25x ok\r\n').error, /not a reply line/);
  t.match(read('250 ' + 'x'.repeat(70000)).error, /longer than 65536 bytes/);
  const after = read('junk\r\n250 ok\r\n');
  t.equal(after.take(), undefined, 'nothing is read after an error');
});
