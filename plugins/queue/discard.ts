// queue/discard: accept every message and throw it away, for tests,
// benchmarks and sink addresses. The client gets a 250 that says so, and
// the log gets one line per message (LOGINFO): who sent it to whom, its
// size and Message-Id, so a discarded message can still be accounted for.
//
//   queue/discard
//
// docs: docs/plugins/queue/discard.md

import { LOGINFO, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

/** Every text this plugin puts in a reply. */
const REPLIES = {
  /** OK: always. The client's log shows that nothing was delivered. */
  discarded: 'Message discarded, not delivered (queue/discard)',
} as const;

export default class QueueDiscard extends Plugin {
  register(_qp: Qp, ...args: string[]): void {
    // "loglevel N" is the core's; anything else is a mistake worth stopping for (this plugin drops mail).
    const extra = args.filter((arg, i) => arg !== 'loglevel' && args[i - 1] !== 'loglevel');
    if (extra.length > 0) throw new Error(`queue/discard takes no arguments, not "${extra.join(' ')}"`);
  }

  hook_queue(transaction: Transaction): HookResult {
    const sender = transaction.sender()?.format() ?? '<>';
    const recipients = transaction.recipients().map((r) => r.format()).join(', ');
    const messageId = (transaction.header()?.get('Message-Id') ?? '').split(/[\r\n]/)[0] || 'without Message-Id';
    this.log(LOGINFO, `discarded ${messageId} from ${sender} to ${recipients} (${transaction.data_size()} bytes)`);
    return [OK, REPLIES.discarded];
  }
}
