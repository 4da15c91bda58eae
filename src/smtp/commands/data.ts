// DATA: the data hook, the sequence checks, receiving the message, then
// data_post_headers, the trace headers, data_post and queueing.

import { DENYSOFT, LOGALERT, LOGCRIT, LOGERROR } from '../../constants';
import { INTERNAL_ERROR_TEXT } from '../../hooks/runner';
import { DataReader } from '../../io/data-reader';
import { MessageReceiver } from '../../message/receiver';
import type { HookOutcome } from '../../plugin/api';
import { DATA, DATA_HEADERS_END, DATA_POST, TEXT } from '../replies';
import type { Session } from '../session';
import { addTraceHeaders } from '../trace-headers';
import { queueMessage } from './queue';

/** The header section is held in memory up to this size; the rest of a bigger one becomes body. */
const MAX_HEADER_BYTES = 1024 * 1024;

export async function data(session: Session): Promise<void> {
  // The data hook runs before the sequence checks (qpsmtpd).
  const outcome = await session.run_hooks('data');
  if ((await session.reply(DATA, outcome)) !== 'continue') return;
  const transaction = session.transaction;
  if (!transaction.sender()) {
    await session.respond(503, TEXT.dataNoMail);
    return;
  }
  if (transaction.recipients().length === 0) {
    await session.respond(503, TEXT.dataNoRcpt);
    return;
  }
  await session.respond(354, TEXT.goAhead);

  const received = await receiveMessage(session);
  if (received === undefined) return;
  await afterMessage(session, received);
}

interface Received {
  receiver: MessageReceiver;
  /** A data_headers_end plugin failed: the message is refused temporarily at the end. */
  headersEndFailure: HookOutcome | undefined;
}

/** Reads the message up to the final dot; undefined when the session already answered. */
async function receiveMessage(session: Session): Promise<Received | undefined> {
  const receiver = new MessageReceiver(session.transaction, {
    maxSize: session.databytes(),
    maxHeaderBytes: MAX_HEADER_BYTES,
  });
  const reader = new DataReader(session.input, receiver);
  const timeoutMs = session.dataTimeoutMs();
  let headersEndFailure: HookOutcome | undefined;
  const headersEnd = async (): Promise<boolean> => {
    receiver.resume();
    const result = await session.run_hooks('data_headers_end');
    if (result.failed) headersEndFailure = result;
    return (await session.reply(DATA_HEADERS_END, result)) === 'continue';
  };
  try {
    for (;;) {
      const event = await reader.next(timeoutMs);
      switch (event) {
        case 'pause':
          if (!(await headersEnd())) return undefined;
          continue;
        case 'end':
          receiver.finish();
          if (receiver.wantsPause() && !(await headersEnd())) return undefined;
          return { receiver, headersEndFailure };
        case 'bare-lf':
          await session.respond(421, TEXT.bareLf);
          await session.disconnect();
          return undefined;
        case 'eof':
          await session.respond(451, TEXT.incompleteData);
          await session.reset_transaction();
          return undefined;
        case 'timeout':
          await session.respond(421, TEXT.timeout(session.me()));
          await session.disconnect();
          return undefined;
      }
    }
  } catch (err) {
    // Where the client's message stands is unknown now: close rather than
    // read message lines as commands.
    session.log(LOGCRIT, `error while receiving the message: ${(err as Error).stack ?? String(err)}`);
    await session.respond(421, TEXT.unavailable(session.me()));
    await session.disconnect();
    return undefined;
  }
}

async function afterMessage(session: Session, { receiver, headersEndFailure }: Received): Promise<void> {
  if (receiver.storeError) {
    session.log(LOGERROR, `could not store the message: ${receiver.storeError.message}`);
    await session.respond(451, INTERNAL_ERROR_TEXT);
    await session.reset_transaction();
    return;
  }
  if (receiver.tooBig) {
    session.log(LOGALERT, `Message too big: size: ${receiver.messageSize} (max size: ${session.databytes()})`);
    await session.respond(552, TEXT.tooBig);
    await session.reset_transaction();
    return;
  }
  // Results of data_post_headers are ignored, except that a failing plugin fails the message (decision 5),
  // as a failing data_headers_end or received_line plugin does.
  const postHeaders = await session.run_hooks('data_post_headers');
  const traceFailure = await addTraceHeaders(session);
  const failure = headersEndFailure ?? (postHeaders.failed ? postHeaders : traceFailure);
  const post = failure ? { code: DENYSOFT, msgs: failure.msgs } : await session.run_hooks('data_post');
  if ((await session.reply(DATA_POST, post)) !== 'continue') return;
  await queueMessage(session);
}
