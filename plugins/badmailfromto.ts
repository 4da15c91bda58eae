// badmailfromto: refuse mail from a listed sender to a listed recipient,
// as if that recipient did not exist, so that the sender (a harasser, say)
// is not told that it is the one being blocked.
//
//   badmailfromto          (no arguments)
//
// Config badmailfromto: one pair per line, "sender<TAB>recipient":
//   sender      user@host, or @host for every sender at host (any case)
//   recipient   user@host (any case)
// The sender is matched at MAIL (a match is kept in the transaction note
// badmailfromto), the refusal comes at RCPT: "550 mail to user@host not
// accepted here". Other recipients of that sender are accepted.
//
// docs: docs/plugins/badmailfromto.md

import type { Address } from '../src/address/address';
import { DECLINED, DENY, LOGDEBUG, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const REPLY = {
  refused: (recipient: string): HookResult => [DENY, `mail to ${recipient} not accepted here`],
} as const;

declare module '../src/api/notes' {
  interface TransactionNotes {
    /** The badmailfromto sender entries (lower case) that matched the sender at MAIL. */
    badmailfromto?: string[];
  }
}

interface Pair {
  from: string;
  to: string | undefined;
  line: string;
}

export default class BadMailFromTo extends Plugin {
  hook_mail(transaction: Transaction, sender: Address | undefined): HookResult {
    const pairs = this.pairs();
    if (pairs.length === 0) return this.notChecked('empty list');
    if (!sender || sender.isNull()) return this.notChecked('null sender');
    const user = sender.user();
    const host = sender.host()?.toLowerCase();
    if (!user || !host) return this.notChecked('missing user or host');

    const from = `${user.toLowerCase()}@${host}`;
    // Every entry naming the sender counts (qpsmtpd kept only the last one, see the docs).
    const matched = new Set<string>();
    for (const { from: entry } of pairs) {
      if (!entry.includes('@')) {
        this.log(LOGWARN, `bad config, no @ sign in ${entry}`);
        continue;
      }
      if (entry === from || entry === `@${host}`) matched.add(entry);
    }
    if (matched.size > 0) {
      transaction.notes('badmailfromto', [...matched]);
      this.log(LOGINFO, `sender ${from} is listed`);
    }
    return DECLINED;
  }

  hook_rcpt(transaction: Transaction, recipient: Address): HookResult {
    const senders = transaction.notes('badmailfromto');
    if (!senders) return this.notChecked('sender not listed', 'pass');
    const user = recipient.user();
    const host = recipient.host();
    if (!user || !host) return this.notChecked('recipient without a domain', 'pass');

    const to = `${user}@${host}`.toLowerCase();
    for (const pair of this.pairs()) {
      if (!senders.includes(pair.from)) continue;
      if (pair.to === undefined) {
        this.log(LOGWARN, `bad config, no tab between sender and recipient in "${pair.line}"`);
        continue;
      }
      if (pair.to === to) {
        this.log(LOGINFO, `fail, mail from ${pair.from} to ${to}`);
        return REPLY.refused(to);
      }
    }
    return this.notChecked('recipient not listed', 'pass');
  }

  /** The config lines as (lower-cased) pairs; `to` is undefined when no tab separates a second word. */
  private pairs(): Pair[] {
    return this.qp.config('badmailfromto', 'list').map((line) => {
      const [, from = '', to] = /^(\S+)(?:\t(\S+))?/.exec(line) ?? [];
      return { from: from.toLowerCase(), to: to?.toLowerCase(), line };
    });
  }

  private notChecked(why: string, verdict = 'skip'): HookResult {
    this.log(LOGDEBUG, `${verdict}, ${why}`);
    return DECLINED;
  }
}
