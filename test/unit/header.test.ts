// src/message/header.ts: the Mail::Header-style header (behavior §2.6, §6.2;
// decision 15). Lines are given as received (LF endings).

import t from 'tap';
import { Header, isContinuation, isFieldStart, isMboxFrom } from '../../src/message/header';

function headerOf(...lines: string[]): Header {
  return Header.fromLines(lines.map((l) => Buffer.from(`${l}\n`, 'latin1')));
}

t.test('line classification', async (t) => {
  t.ok(isFieldStart('Subject: x'));
  t.ok(isFieldStart('Subject:x'));
  t.ok(isFieldStart('Subject :x'), 'obsolete blank before the colon');
  t.ok(isFieldStart('Subject\t:x'));
  t.ok(isFieldStart('X-Ünknown: x') === false, 'non-ASCII name');
  t.notOk(isFieldStart('X-Weird Header: v'), 'space inside the name');
  t.notOk(isFieldStart(': no name'));
  t.notOk(isFieldStart('no colon'));
  t.notOk(isFieldStart(' Subject: x'), 'a continuation');
  t.notOk(isFieldStart(''));
  t.ok(isContinuation(' x'));
  t.ok(isContinuation('\tx'));
  t.notOk(isContinuation('x'));
  t.notOk(isContinuation(''));
  t.ok(isMboxFrom('From a@b Mon Jan 1'));
  t.notOk(isMboxFrom('From: a@b'));
  t.notOk(isMboxFrom('from a@b'), 'case matters');
});

t.test('get: first or index-th value, without the leading blanks and the final newline', async (t) => {
  const h = headerOf('Received: one', 'Subject:  hi there ', 'received: two', 'RECEIVED:three');
  t.equal(h.get('Subject'), 'hi there ', 'trailing blanks stay');
  t.equal(h.get('subject'), 'hi there ', 'names are case-insensitive');
  t.equal(h.get('Received'), 'one');
  t.equal(h.get('Received', 1), 'two');
  t.equal(h.get('Received', 2), 'three');
  t.equal(h.get('Received', 3), undefined);
  t.equal(h.get('X-Missing'), undefined);
});

t.test('getAll', async (t) => {
  const h = headerOf('Received: one', 'Subject: s', 'Received: two', ' folded');
  t.strictSame(h.getAll('received'), ['one', 'two\n folded']);
  t.strictSame(h.getAll('X-None'), []);
});

t.test('count and tags', async (t) => {
  const h = headerOf('Received: a', 'subject: s', 'RECEIVED: b', 'To : c');
  t.equal(h.count('Received'), 2);
  t.equal(h.count('SUBJECT'), 1);
  t.equal(h.count('Cc'), 0);
  t.strictSame(h.tags(), ['Received', 'subject', 'To'], 'first appearance, as written, blanks before the colon removed');
  t.strictSame(new Header().tags(), []);
});

t.test('add: at the end by default', async (t) => {
  const h = headerOf('A: 1', 'B: 2');
  h.add('C', '3');
  t.equal(h.as_string(), 'A: 1\nB: 2\nC: 3\n');
  h.add('X-Nl', 'value\n');
  t.equal(h.get('X-Nl'), 'value', 'a final newline in the value is not doubled');
  t.equal(h.as_string(), 'A: 1\nB: 2\nC: 3\nX-Nl: value\n');
});

t.test('add: index is the position in the whole header (Mail::Header)', async (t) => {
  const top = headerOf('A: 1', 'B: 2', 'A: 3');
  top.add('Received', 'r', 0);
  t.equal(top.as_string(), 'Received: r\nA: 1\nB: 2\nA: 3\n', 'index 0: the top');

  const second = headerOf('A: 1', 'B: 2', 'A: 3');
  second.add('A', 'new', 1);
  t.equal(second.as_string(), 'A: 1\nA: new\nB: 2\nA: 3\n', 'index 1: after the first line');
  t.strictSame(second.getAll('A'), ['1', 'new', '3'], 'same-name order follows the position');

  const other = headerOf('A: 1', 'B: 2', 'A: 3');
  other.add('C', 'c', 2);
  t.equal(other.as_string(), 'A: 1\nB: 2\nC: c\nA: 3\n');

  const past = headerOf('A: 1');
  past.add('Z', 'z', 10);
  t.equal(past.as_string(), 'A: 1\nZ: z\n', 'past the end: appended');

  const last = headerOf('A: 1', 'B: 2');
  last.add('Z', 'z', -1);
  t.equal(last.as_string(), 'A: 1\nB: 2\nZ: z\n', '-1: the end');

  const beforeLast = headerOf('A: 1', 'B: 2');
  beforeLast.add('Z', 'z', -2);
  t.equal(beforeLast.as_string(), 'A: 1\nZ: z\nB: 2\n', '-2: before the last line');

  const farBack = headerOf('A: 1');
  farBack.add('Z', 'z', -10);
  t.equal(farBack.as_string(), 'Z: z\nA: 1\n', 'far negative: the top');
});

t.test('delete: all, or the index-th of that name', async (t) => {
  const h = headerOf('Received: a', 'Subject: s', 'Received: b', 'Received: c');
  t.equal(h.delete('received', 1), 1);
  t.strictSame(h.getAll('Received'), ['a', 'c']);
  t.equal(h.delete('Received', 5), 0, 'no such instance');
  t.equal(h.delete('Received'), 2);
  t.equal(h.as_string(), 'Subject: s\n');
  t.equal(h.delete('X-None'), 0);
});

t.test('replace: the index-th (first by default), or append when missing', async (t) => {
  const h = headerOf('A: 1', 'B: 2', 'A: 3');
  h.replace('a', 'one');
  t.equal(h.as_string(), 'a: one\nB: 2\nA: 3\n', 'in place, with the name as given');
  h.replace('A', 'three', 1);
  t.equal(h.as_string(), 'a: one\nB: 2\nA: three\n');
  h.replace('C', 'new');
  t.equal(h.as_string(), 'a: one\nB: 2\nA: three\nC: new\n', 'missing: appended');
  h.replace('A', 'x', 7);
  t.equal(h.as_string(), 'a: one\nB: 2\nA: three\nC: new\nA: x\n', 'no such instance: appended');
});

t.test('as_string, lines and as_buffer keep folding and order as received', async (t) => {
  const h = headerOf('Subject: a', '  b', 'To: x', '\ty');
  t.equal(h.as_string(), 'Subject: a\n  b\nTo: x\n\ty\n');
  t.strictSame(h.lines(), ['Subject: a\n  b\n', 'To: x\n\ty\n']);
  t.equal(h.as_buffer().toString(), 'Subject: a\n  b\nTo: x\n\ty\n');
  t.equal(new Header().as_string(), '');
  t.equal(new Header().as_buffer().length, 0);
});

t.test('mbox "From " as the first line becomes Mail-From:', async (t) => {
  const h = headerOf('From a@b Mon Jan  1 00:00:00 2024', 'Subject: s');
  t.equal(h.get('Mail-From'), 'a@b Mon Jan  1 00:00:00 2024');
  t.equal(h.as_string(), 'Mail-From: a@b Mon Jan  1 00:00:00 2024\nSubject: s\n');
});

t.test('byte-exact round trip of non-UTF-8 bytes', async (t) => {
  const raw = [
    Buffer.from([0x53, 0x75, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x3a, 0x20, 0xe9, 0xff, 0x80, 0x0a]), // Subject: \xe9\xff\x80
    Buffer.from('X-Utf8: caf\u00e9\n', 'utf8'),
    Buffer.from([0x58, 0x2d, 0x4d, 0x69, 0x78, 0x3a, 0x20, 0xc3, 0x0a]), // X-Mix: \xc3 (truncated UTF-8)
    Buffer.from([0x20, 0xfe, 0x0a]), // continuation with a raw byte
  ];
  const h = Header.fromLines(raw);
  t.strictSame([...h.as_buffer()], [...Buffer.concat(raw)], 'as_buffer gives back the received bytes');
  t.equal(h.get('X-Utf8'), 'café', 'UTF-8 fields read as text');
  h.add('X-Added', 'ü');
  t.strictSame(
    [...h.as_buffer()],
    [...Buffer.concat([...raw, Buffer.from('X-Added: ü\n', 'utf8')])],
    'received fields stay byte-exact next to added UTF-8 fields',
  );
  h.delete('X-Utf8');
  t.strictSame([...h.as_buffer()], [...Buffer.concat([raw[0]!, raw[2]!, raw[3]!, Buffer.from('X-Added: ü\n', 'utf8')])]);
});

t.test('a header built by hand', async (t) => {
  const h = new Header();
  h.add('Received', 'from x');
  h.add('Authentication-Results', 'mx; auth=none', 0);
  t.equal(h.as_string(), 'Authentication-Results: mx; auth=none\nReceived: from x\n');
  t.equal(h.count('received'), 1);
});
