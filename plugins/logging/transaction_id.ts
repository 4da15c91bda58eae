// logging/transaction_id [level]: logging/warn's job (lines up to `level`,
// default LOGWARN, to stderr) with the transaction's id in front instead of
// the pid: "<id> <plugin> plugin: <message>". The id is the session id
// logging/file uses for %i, a dot and the transaction's number in the
// connection: "<unix time>-<pid>-1.<n>". The lines before the first
// transaction (the greeting) count as the first one's, as in qpsmtpd, where
// a transaction always exists.
//
// docs: docs/plugins/logging/transaction_id.md

import { DECLINED, LOGINFO, LOGWARN } from '../../src/constants';
import { oneLine, writeStderr } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { parseLevel, sessionId, sourceLabel } from './shared';

export default class LoggingTransactionId extends Plugin {
  private level = LOGWARN;
  private readonly numbers = new WeakMap<Transaction, number>();
  private count = 0;

  register(_qp: Qp, level?: string): void {
    if (level !== undefined) this.level = parseLevel('logging/transaction_id', level);
    this.log(LOGINFO, 'Initializing logging::transaction_id plugin');
  }

  hook_logging(
    transaction: Transaction | undefined,
    level: number,
    hook: string | undefined,
    plugin: string | undefined,
    message: string,
  ): HookResult {
    if (plugin === this.plugin_name()) return DECLINED;
    // Every line is numbered, logged or not, so the numbers count all transactions.
    const id = `${sessionId()}.${this.numberOf(transaction)}`;
    if (level > this.level) return DECLINED;
    writeStderr(`${id}${sourceLabel(hook, plugin)} ${oneLine(message)}\n`);
    return DECLINED;
  }

  /** Transactions are numbered in the order they show up; a new one appears after each reset. */
  private numberOf(transaction: Transaction | undefined): number {
    if (!transaction) return Math.max(this.count, 1);
    let n = this.numbers.get(transaction);
    if (n === undefined) {
      n = ++this.count;
      this.numbers.set(transaction, n);
    }
    return n;
  }
}
