// src/message/receiver.ts (driven by src/io/data-reader.ts, as the DATA
// command does): header parsing, the stored message, sizes and limits
// (behavior §2.6 step 5-7, §6.2; decisions 9, 10 and 15).

import { readFileSync } from 'node:fs';
import t from 'tap';
import { type DataEvent, DataReader } from '../../src/io/data-reader';
import { Input } from '../../src/io/input';
import { MessageReceiver, type ReceiverLimits } from '../../src/message/receiver';
import type { Transaction } from '../../src/message/transaction';
import { chunked, scripted } from '../helpers/sources';
import { bodyLines, streamed, testSpool, testTransaction } from '../helpers/spool';

interface HeadersEnd {
  /** The header fields as text when data_headers_end would run. */
  header: string;
  bodyStart: number;
  /** Input bytes not decoded yet at that moment. */
  pending: string;
}

interface Received {
  event: DataEvent;
  receiver: MessageReceiver;
  transaction: Transaction;
  /** One entry per data_headers_end pause (there must be exactly one per message). */
  headersEnd: HeadersEnd[];
  /** The whole stored message (headers as received, then the body). */
  stored(): string;
  /** What a queue plugin delivers: the parsed header, then the body. */
  delivered(): Promise<string>;
}

async function receive(
  message: string | Buffer,
  options: { chunkSize?: number; limits?: Partial<ReceiverLimits>; threshold?: number } = {},
): Promise<Received> {
  const spool = testSpool(options.threshold ?? 1024 * 1024);
  t.teardown(spool.cleanup);
  const transaction = testTransaction(spool);
  t.teardown(() => transaction.destroy());
  const receiver = new MessageReceiver(transaction, { maxSize: 0, maxHeaderBytes: 1024 * 1024, ...options.limits });
  const input = new Input(scripted(chunked(message, options.chunkSize)));
  const reader = new DataReader(input, receiver);
  const headersEnd: HeadersEnd[] = [];
  const snapshot = (): void => {
    headersEnd.push({
      header: transaction.header()?.as_string() ?? '(none)',
      bodyStart: transaction.body_start(),
      pending: input.available().toString('latin1'),
    });
    receiver.resume();
  };
  let event: DataEvent;
  for (;;) {
    event = await reader.next(0);
    if (event === 'pause') {
      snapshot();
      continue;
    }
    if (event === 'end') {
      receiver.finish();
      if (receiver.wantsPause()) snapshot();
    }
    break;
  }
  return {
    event,
    receiver,
    transaction,
    headersEnd,
    stored: () => readFileSync(transaction.body_filename()).toString('latin1'),
    delivered: async () => (await streamed(transaction)).toString('latin1'),
  };
}

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

t.test('a normal message', async (t) => {
  for (const chunkSize of [undefined, 1, 3, 16]) {
    const r = await receive(crlf('Subject: hi', 'From: a@b', '', 'body', '..dot', '.'), { chunkSize });
    const label = `chunks of ${chunkSize ?? 'all'}`;
    t.equal(r.event, 'end', label);
    const header = r.transaction.header()!;
    t.strictSame(header.tags(), ['Subject', 'From'], label);
    t.equal(header.get('Subject'), 'hi');
    t.equal(header.get('From'), 'a@b');
    t.equal(r.stored(), 'Subject: hi\nFrom: a@b\n\nbody\n.dot\n', `${label}: LF endings, un-stuffed, header included`);
    t.equal(r.transaction.body_start(), 22, 'the body starts at the blank line');
    t.equal(r.transaction.data_size(), 33);
    t.equal(r.receiver.messageSize, 33);
    t.equal(r.transaction.body_length(), 11);
    t.strictSame(bodyLines(r.transaction), ['\n', 'body\n', '.dot\n']);
    t.equal(await r.delivered(), 'Subject: hi\nFrom: a@b\n\nbody\n.dot\n');
    t.strictSame(r.headersEnd, [{ header: 'Subject: hi\nFrom: a@b\n', bodyStart: 22, pending: chunkSize === undefined ? 'body\r\n..dot\r\n.\r\n' : r.headersEnd[0]!.pending }]);
    t.ok(r.receiver.headerComplete);
    t.notOk(r.receiver.tooBig);
    t.equal(r.receiver.storeError, undefined);
  }
});

t.test('data_headers_end pauses right after the blank line', async (t) => {
  const r = await receive(crlf('A: 1', '', 'one', 'two', '.'));
  t.equal(r.headersEnd.length, 1);
  t.equal(r.headersEnd[0]!.pending, 'one\r\ntwo\r\n.\r\n', 'no body line was decoded before the hook');
  t.equal(r.headersEnd[0]!.header, 'A: 1\n', 'the header is parsed and set before the hook');
});

t.test('header continuations (folding kept as received)', async (t) => {
  const r = await receive(crlf('Subject: a', ' b', '\tc', 'To: x', '', 'body', '.'));
  const h = r.transaction.header()!;
  t.equal(h.get('Subject'), 'a\n b\n\tc');
  t.equal(h.count('Subject'), 1);
  t.equal(h.get('To'), 'x');
  t.equal(h.as_string(), 'Subject: a\n b\n\tc\nTo: x\n');
  t.equal(await r.delivered(), 'Subject: a\n b\n\tc\nTo: x\n\nbody\n');
});

t.test('mbox "From " first line becomes Mail-From:', async (t) => {
  const r = await receive(crlf('From someone@example Mon Jan 1 00:00:00 2024', 'Subject: x', '', 'body', '.'));
  const h = r.transaction.header()!;
  t.equal(h.get('Mail-From'), 'someone@example Mon Jan 1 00:00:00 2024');
  t.strictSame(h.tags(), ['Mail-From', 'Subject']);
  t.equal(await r.delivered(), 'Mail-From: someone@example Mon Jan 1 00:00:00 2024\nSubject: x\n\nbody\n');
  t.equal(r.stored(), 'From someone@example Mon Jan 1 00:00:00 2024\nSubject: x\n\nbody\n', 'the spool keeps the line as received');
});

t.test('a "From " line that is not first ends the header (decision 15)', async (t) => {
  const r = await receive(crlf('Subject: x', 'From someone', 'To: y', '', 'body', '.'));
  t.strictSame(r.transaction.header()!.tags(), ['Subject']);
  t.equal(await r.delivered(), 'Subject: x\n\nFrom someone\nTo: y\n\nbody\n');
});

t.test('decision 15: a non-header first line starts the body, nothing is lost', async (t) => {
  const r = await receive(crlf('hello world', 'Subject: x', '', 'body', '.'));
  t.equal(r.transaction.header()!.as_string(), '', 'empty header');
  t.equal(r.stored(), '\nhello world\nSubject: x\n\nbody\n', 'a blank line separates the empty header from the body');
  t.equal(await r.delivered(), '\nhello world\nSubject: x\n\nbody\n');
  t.equal(r.transaction.body_start(), 0);
  t.equal(r.transaction.body_length(), 0, 'qpsmtpd: 0 when there is no header');
  t.equal(r.receiver.messageSize, 29, 'the size counts what the client sent, not the inserted blank line');
  t.equal(r.transaction.data_size(), 30);
  t.equal(r.headersEnd.length, 1);
  t.equal(r.headersEnd[0]!.header, '');
});

t.test('decision 15: an invalid header line after valid ones starts the body', async (t) => {
  const r = await receive(crlf('Subject: x', 'X-Weird Header: v', ' cont', 'To: y', '', 'b', '.'));
  t.strictSame(r.transaction.header()!.tags(), ['Subject']);
  t.equal(r.transaction.body_start(), 11);
  t.equal(await r.delivered(), 'Subject: x\n\nX-Weird Header: v\n cont\nTo: y\n\nb\n');
  t.strictSame(bodyLines(r.transaction), ['\n', 'X-Weird Header: v\n', ' cont\n', 'To: y\n', '\n', 'b\n']);
});

t.test('header field forms that are accepted', async (t) => {
  const r = await receive(crlf('Subject:nospace', 'Obsolete : x', 'X-Empty:', '8bit: ok', '', '.'));
  const h = r.transaction.header()!;
  t.strictSame(h.tags(), ['Subject', 'Obsolete', 'X-Empty', '8bit']);
  t.equal(h.get('Subject'), 'nospace');
  t.equal(h.get('Obsolete'), 'x', 'blanks before the colon (RFC 5322 obsolete syntax)');
  t.equal(h.get('X-Empty'), '');
  t.equal(h.as_string(), 'Subject:nospace\nObsolete : x\nX-Empty:\n8bit: ok\n');
});

t.test('a continuation as the first line starts the body', async (t) => {
  const r = await receive(crlf(' indented', 'Subject: x', '', '.'));
  t.equal(r.transaction.header()!.as_string(), '');
  t.equal(await r.delivered(), '\n indented\nSubject: x\n\n');
});

t.test('a message with only a header (no blank line)', async (t) => {
  const r = await receive(crlf('Subject: x', 'To: y', '.'));
  t.strictSame(r.transaction.header()!.tags(), ['Subject', 'To']);
  t.equal(r.transaction.body_start(), 17);
  t.equal(r.transaction.data_size(), 17);
  t.equal(r.transaction.body_length(), 0);
  t.strictSame(bodyLines(r.transaction), []);
  t.equal(r.headersEnd.length, 1, 'data_headers_end runs at the end');
  t.equal(await r.delivered(), 'Subject: x\nTo: y\n');
});

t.test('an empty message', async (t) => {
  const r = await receive('.\r\n');
  t.equal(r.event, 'end');
  t.equal(r.transaction.header()!.as_string(), '');
  t.equal(r.transaction.data_size(), 0);
  t.equal(r.transaction.body_start(), 0);
  t.equal(r.receiver.messageSize, 0);
  t.equal(r.headersEnd.length, 1);
  t.equal(await r.delivered(), '');
});

t.test('a message that starts with a blank line', async (t) => {
  const r = await receive(crlf('', 'Subject: not a header here', '.'));
  t.equal(r.transaction.header()!.as_string(), '');
  t.equal(r.transaction.body_start(), 0);
  t.equal(r.transaction.body_length(), 0, 'qpsmtpd quirk: 0 without a header');
  t.equal(r.stored(), '\nSubject: not a header here\n');
  t.equal(r.receiver.messageSize, 28);
  t.equal(await r.delivered(), '\nSubject: not a header here\n');
});

t.test('bare LF lines and CRs inside lines are stored as they are', async (t) => {
  const r = await receive('Subject: x\r\n\r\na\nb\rc\r\n.\r\n');
  t.equal(r.stored(), 'Subject: x\n\na\nb\rc\n');
  t.equal(r.receiver.messageSize, 18);
});

t.test('decision 10: "\\n.\\r\\n" is data, stored as a "." line', async (t) => {
  const r = await receive('Subject: x\r\n\r\na\n.\r\nb\r\n.\r\n');
  t.equal(r.event, 'end');
  t.equal(r.stored(), 'Subject: x\n\na\n.\nb\n');
});

t.test('"." with a bare LF stops with bare-lf', async (t) => {
  const r = await receive('Subject: x\r\n\r\na\r\n.\nmore\r\n.\r\n');
  t.equal(r.event, 'bare-lf');
});

t.test('databytes: the size counts normalized bytes (LF endings, dots removed, header included)', async (t) => {
  // 'Subject: x\n' (11) + '\n' (1) + '.\n' (2, from "..") = 14
  const message = crlf('Subject: x', '', '..', '.');
  const exact = await receive(message, { limits: { maxSize: 14 } });
  t.equal(exact.receiver.messageSize, 14);
  t.notOk(exact.receiver.tooBig, 'exactly databytes is accepted');
  t.equal(exact.stored(), 'Subject: x\n\n.\n');
  const over = await receive(message, { limits: { maxSize: 13 } });
  t.ok(over.receiver.tooBig, 'one byte over is too big');
  t.equal(over.event, 'end', 'the message is still read to the end');
});

t.test('databytes: after the limit the rest is read and thrown away', async (t) => {
  const big = 'x'.repeat(1000);
  const r = await receive(crlf('Subject: x', '', big, big, big, '.'), { limits: { maxSize: 100 } });
  t.equal(r.event, 'end');
  t.ok(r.receiver.tooBig);
  t.ok(r.transaction.data_size() <= 100 + 1000 + 1, `stored ${r.transaction.data_size()} bytes, not the whole message`);
  t.ok(r.receiver.messageSize > 100 && r.receiver.messageSize <= 1101, `counted ${r.receiver.messageSize}`);
});

t.test('databytes 0 means no limit', async (t) => {
  const r = await receive(crlf('Subject: x', '', 'y'.repeat(100_000), '.'), { limits: { maxSize: 0 } });
  t.notOk(r.receiver.tooBig);
  t.equal(r.receiver.messageSize, 100_013);
});

t.test('databytes passed inside the header: the header is never parsed', async (t) => {
  const r = await receive(crlf('Subject: ' + 'x'.repeat(200), 'To: y', '', 'body', '.'), { limits: { maxSize: 50 } });
  t.ok(r.receiver.tooBig);
  t.equal(r.headersEnd.length, 0, 'data_headers_end does not run');
  t.notOk(r.receiver.headerComplete);
});

t.test('the header-size limit: beyond it the body starts', async (t) => {
  const r = await receive(crlf('A: 1', 'B: ' + '2'.repeat(30), 'C: 3', '', 'body', '.'), { limits: { maxHeaderBytes: 20 } });
  t.equal(r.event, 'end');
  t.strictSame(r.transaction.header()!.tags(), ['A'], 'the fields before the limit are the header');
  t.equal(await r.delivered(), `A: 1\n\nB: ${'2'.repeat(30)}\nC: 3\n\nbody\n`, 'nothing is lost');
  t.equal(r.receiver.messageSize, 5 + 34 + 5 + 1 + 5);
  t.equal(r.headersEnd.length, 1);
});

t.test('the header-size limit with a very long first line, fed in small chunks', async (t) => {
  const long = 'X-Long: ' + 'y'.repeat(5000);
  const r = await receive(crlf(long, '', 'b', '.'), { limits: { maxHeaderBytes: 1000 }, chunkSize: 100 });
  t.equal(r.transaction.header()!.as_string(), '');
  t.equal(await r.delivered(), `\n${long}\n\nb\n`);
  t.equal(r.headersEnd.length, 1);
});

t.test('a 5 MB body line is stored in pieces (decision 9)', async (t) => {
  const size = 5 * 1024 * 1024;
  const message = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(size, 0x41), Buffer.from('\r\nend\r\n.\r\n')]);
  const spool = testSpool(64 * 1024);
  t.teardown(spool.cleanup);
  const transaction = testTransaction(spool);
  t.teardown(() => transaction.destroy());
  const writes: number[] = [];
  const original = transaction.body_write.bind(transaction);
  transaction.body_write = (data: string | Buffer) => {
    writes.push(data.length);
    original(data);
  };
  const receiver = new MessageReceiver(transaction, { maxSize: 0, maxHeaderBytes: 1024 * 1024 });
  const reader = new DataReader(new Input(scripted(chunked(message, 64 * 1024))), receiver);
  let event: DataEvent;
  while ((event = await reader.next(0)) === 'pause') receiver.resume();
  t.equal(event, 'end');
  receiver.finish();
  t.equal(transaction.data_size(), 13 + 1 + size + 1 + 4);
  t.ok(writes.length > 40, `many writes (${writes.length})`);
  t.ok(Math.max(...writes) <= 192 * 1024, `no write holds the whole line (biggest ${Math.max(...writes)})`);
  t.ok(transaction.body_fh() !== undefined, 'spooled to disk');
  const lines = bodyLines(transaction);
  t.equal(lines.length, 3);
  t.equal(lines[1]!.length, size + 1);
  t.equal(lines[2], 'end\n');
});

t.test('a spool write error is kept, and the rest is read and dropped', async (t) => {
  const spool = testSpool(0);
  t.teardown(spool.cleanup);
  const transaction = testTransaction(spool);
  t.teardown(() => transaction.destroy());
  let calls = 0;
  transaction.body_write = () => {
    calls++;
    throw new Error('ENOSPC: no space left on device');
  };
  const receiver = new MessageReceiver(transaction, { maxSize: 0, maxHeaderBytes: 1024 });
  const reader = new DataReader(new Input(scripted([crlf('A: 1', '', 'b', '.')])), receiver);
  let event: DataEvent;
  while ((event = await reader.next(0)) === 'pause') receiver.resume();
  receiver.finish();
  t.equal(event, 'end');
  t.equal(receiver.storeError?.message, 'ENOSPC: no space left on device');
  t.equal(calls, 1, 'no more writes after the first failure');
});

t.test('non-UTF-8 header bytes are delivered byte for byte', async (t) => {
  const message = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\r\n\r\nb\xff\r\n.\r\n', 'latin1')]);
  const r = await receive(message);
  const delivered = await streamed(r.transaction);
  t.strictSame(
    [...delivered],
    [...Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\n\nb\xff\n', 'latin1')])],
  );
});
