// The exact length of the message a queue plugin sends, known before the
// first byte goes out (QMQP's netstring starts with it), without reading the
// message twice.
//
// data_size() is NOT that length: it counts the message as it was received
// (the client's header section and the body), while message_chunks() yields
// the header as it is now (with the Received and Authentication-Results
// fields the core added after DATA, and whatever plugins changed) followed
// by the stored body from body_start() on. So the length is
//   bytes of the current header + (data_size() - body_start()).
// sizedMessage() also counts what it yields and throws if that ever
// differs, so a wrong length can never put a malformed frame on the wire.
// The bytes come from reusedChunks(): each chunk is valid only until the
// next one is asked for, so write it out completely first.

import type { Transaction } from '../message/transaction';
import { reusedChunks } from './message-chunks';

export class MessageSizeError extends Error {}

export interface SizedMessage {
  /** The bytes `chunks` will yield. */
  size: number;
  /** The message (header, then body), each chunk valid until the next; throws MessageSizeError if it was not `size` bytes. */
  chunks: AsyncGenerator<Buffer>;
}

export function messageSize(transaction: Transaction): number {
  const header = transaction.header()?.as_buffer().length ?? 0;
  return header + transaction.data_size() - transaction.body_start();
}

export function sizedMessage(transaction: Transaction): SizedMessage {
  const size = messageSize(transaction);
  return { size, chunks: counted(reusedChunks(transaction), size) };
}

async function* counted(chunks: AsyncGenerator<Buffer>, size: number): AsyncGenerator<Buffer> {
  let sent = 0;
  for await (const chunk of chunks) {
    sent += chunk.length;
    if (sent > size) throw new MessageSizeError(`the message is longer than the ${size} bytes announced`);
    yield chunk;
  }
  if (sent !== size) throw new MessageSizeError(`the message has ${sent} bytes, not the ${size} announced`);
}
