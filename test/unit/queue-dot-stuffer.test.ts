// src/queue/dot-stuffer.ts: LF to CRLF, a dot doubled at the start of a
// line (also when the line starts in the next chunk), and the final "."
// after a CRLF whether or not the message ended with one.

import t from 'tap';
import { DotStuffer } from '../../src/queue/dot-stuffer';

function encode(...chunks: string[]): string {
  const stuffer = new DotStuffer();
  // Each result is copied: the encoder reuses its buffer.
  const out = chunks.map((c) => Buffer.from(stuffer.encode(Buffer.from(c, 'latin1'))).toString('latin1'));
  return out.join('') + stuffer.end().toString('latin1');
}

t.test('line ends and dots', async (t) => {
  t.equal(encode('a\n.b\n..\n.\n'), 'a\r\n..b\r\n...\r\n..\r\n.\r\n');
  t.equal(encode('.first\nx.y\n'), '..first\r\nx.y\r\n.\r\n', 'a dot inside a line stays single');
  t.equal(encode('cr\rinside\n'), 'cr\rinside\r\n.\r\n', 'a CR inside a line is left alone');
});

t.test('chunk boundaries', async (t) => {
  t.equal(encode('a\n', '.b\n'), 'a\r\n..b\r\n.\r\n', 'a line starting a chunk');
  t.equal(encode('a', '.b\n'), 'a.b\r\n.\r\n', 'a dot in the middle of a line split across chunks');
  t.equal(encode('a\n', '', '.\n'), 'a\r\n..\r\n.\r\n', 'an empty chunk changes nothing');
});

t.test('the end', async (t) => {
  t.equal(encode(''), '.\r\n', 'an empty message');
  t.equal(encode('no newline at the end'), 'no newline at the end\r\n.\r\n');
  t.equal(encode('\n'), '\r\n.\r\n');
});

t.test('the worst case fits: every byte a line end, the first line a dot', async (t) => {
  const input = '.' + '\n'.repeat(70000);
  t.equal(encode(input), '..' + '\r\n'.repeat(70000) + '.\r\n');
});
