// The kit's stand-ins for the rest of a server's plugins, registered after
// every plugin: the capture queue takes the messages that no queue plugin
// accepted or refused, keeps them in memory for the test, and answers OK
// (250 Queued); the recipient acceptor says OK to recipients nobody decided on.

import { OK } from '../constants';
import { Header } from '../message/header';
import type { Transaction } from '../message/transaction';
import type { Plugin } from '../plugin/plugin';

/** A message the capture queue accepted. */
export interface QueuedMessage {
  /** MAIL FROM as a path: "<a@b.c>", "<>" for the null sender. */
  sender: string;
  /** The RCPT TO paths accepted, in order: ["<d@example.com>"]. */
  recipients: string[];
  /** The message as a queue plugin gets it: header (with the trace headers the core added), then body; LF line ends, dots un-stuffed. */
  message: Buffer;
  /** The message header (get, getAll, count ...). */
  header: Header;
  /** The transaction's notes as they were when the message was queued: notes('key'). */
  notes(key: string): any;
  /** The message as text (UTF-8). */
  toString(): string;
}

/** Registers the capture queue on `plugin`; each accepted message is handed to `keep`. */
export function registerCaptureQueue(plugin: Plugin, keep: (message: QueuedMessage) => void): void {
  plugin.register_hook('queue', async (transaction: Transaction) => {
    const chunks: Buffer[] = [];
    for await (const chunk of transaction.message_chunks()) chunks.push(chunk);
    const message = Buffer.concat(chunks);
    const header = transaction.header() ?? new Header();
    keep({
      sender: transaction.sender()?.format() ?? '<>',
      recipients: transaction.recipients().map((r) => r.format()),
      message,
      header,
      notes: (key: string) => transaction.notes(key),
      toString: () => message.toString('utf8'),
    });
    return OK;
  });
}

/** Registers an rcpt hook on `plugin` that accepts every recipient the plugins before it left undecided. */
export function registerRecipientAcceptor(plugin: Plugin): void {
  plugin.register_hook('rcpt', () => OK);
}
