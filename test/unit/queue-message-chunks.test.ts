// src/queue/message-chunks.ts: the same bytes as transaction.message_chunks()
// (header with added fields, then the body), read from the spool file into
// one reused buffer, or taken from memory for a small message.

import t from 'tap';
import { Header } from '../../src/message/header';
import type { Transaction } from '../../src/message/transaction';
import { reusedChunks } from '../../src/queue/message-chunks';
import { testSpool, testTransaction } from '../helpers/spool';

function transaction(threshold: number, header: string, body: string): Transaction {
  const spool = testSpool(threshold);
  const tx = testTransaction(spool);
  t.teardown(() => {
    tx.destroy();
    spool.cleanup();
  });
  tx.body_write(header);
  tx.set_body_start();
  tx.body_write(body);
  const parsed = Header.fromLines(header.split(/(?<=\n)/).filter((l) => l !== '\n').map((l) => Buffer.from(l)));
  parsed.add('X-Added', 'by a plugin', 0);
  tx.header(parsed);
  return tx;
}

async function collect(chunks: AsyncIterable<Buffer>, copy: boolean): Promise<{ bytes: Buffer; count: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(copy ? Buffer.from(chunk) : chunk);
  return { bytes: Buffer.concat(parts), count: parts.length };
}

const BODY = '\n' + Array.from({ length: 30000 }, (_, i) => `line ${i}\n`).join('');

t.test('spooled: the bytes of message_chunks(), in 64 KiB reads of one buffer', async (t) => {
  const tx = transaction(0, 'Subject: s\nFrom: f\n', BODY);
  t.ok(tx.body_fh() !== undefined, 'the message is in a spool file');
  const want = await collect(tx.message_chunks(), true);
  const got = await collect(reusedChunks(tx), true);
  t.equal(got.bytes.toString(), want.bytes.toString());
  t.match(got.bytes.toString(), /^X-Added: by a plugin\nSubject: s\nFrom: f\n\nline 0\n/, 'added header fields included');
  t.equal(got.count, 1 + Math.ceil((got.bytes.length - tx.header()!.as_buffer().length) / 65536));
  const seen = new Set<ArrayBufferLike>();
  let first = true;
  for await (const chunk of reusedChunks(tx)) {
    if (!first) seen.add(chunk.buffer);
    first = false;
  }
  t.equal(seen.size, 1, 'every body chunk is a view of the same buffer');
});

t.test('in memory: the core\'s own chunks', async (t) => {
  const tx = transaction(1 << 20, 'Subject: m\n', '\nsmall body\n');
  t.equal(tx.body_fh(), undefined, 'the message is in memory');
  const got = await collect(reusedChunks(tx), false);
  t.equal(got.bytes.toString(), 'X-Added: by a plugin\nSubject: m\n\nsmall body\n');
});

t.test('a spool file shorter than the transaction says: an error, not a short message', async (t) => {
  const tx = transaction(0, 'Subject: s\n', '\nbody\n');
  const { ftruncateSync } = await import('node:fs');
  ftruncateSync(tx.body_fh()!, 5);
  await t.rejects(collect(reusedChunks(tx), false), /the spool file ends at 11 of 17 bytes/);
});
