// badmailfrom: refuse envelope senders listed in config badmailfrom, as
// qmail-smtpd does.
//
//   badmailfrom [reject 0|1|naughty] [reject_type temp|perm|disconnect|temp_disconnect]
//   (also loaded as check_badmailfrom)
//
// A line of badmailfrom is one of
//   user@host [reason]    that exact address (any case)
//   @host [reason]        every address at host
//   pattern [reason]      a regular expression (a line containing any of
//                         / ^ $ * + ! % ? \), matched against the lower-cased
//                         user@host, so write it in lower case
// The reason is the reply text; without one it is "Your envelope sender is in
// my badmailfrom list". The default is "reject 1" (550 at MAIL); "reject 0"
// only logs; "reject naughty" leaves the rejection to the naughty plugin.
// Immune clients (relay clients, whitelisted hosts and senders), the null
// sender and addresses without a user or host part are never checked.
//
// docs: docs/plugins/badmailfrom.md

import type { Address } from '../src/address/address';
import { DECLINED, LOGDEBUG, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import { findListed } from '../src/plugin/address-list';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_REASON = 'Your envelope sender is in my badmailfrom list';

export default class BadMailFrom extends Plugin {
  hook_mail(_transaction: Transaction, sender: Address | undefined): HookResult {
    if (this.is_immune()) return DECLINED;
    const lines = this.qp.config('badmailfrom', 'list');
    if (lines.length === 0) return this.notChecked('empty list');
    if (!sender || sender.isNull()) return this.notChecked('null sender');
    const user = sender.user();
    const host = sender.host();
    if (!user || !host) return this.notChecked('missing user or host');

    const from = `${user}@${host}`.toLowerCase();
    // Patterns are case-sensitive on purpose: qpsmtpd lower-cases the address, not the pattern.
    const entry = findListed(lines, from, { patternFlags: '', onBadEntry: (m) => this.log(LOGWARN, m) });
    if (!entry) {
      this.log(LOGINFO, 'pass');
      return DECLINED;
    }
    this.log(LOGDEBUG, `badmailfrom ${entry.how} (${entry.bad}) match for ${from}`);
    this.adjust_karma(-1);
    return this.get_reject(entry.reason || DEFAULT_REASON);
  }

  private notChecked(why: string): HookResult {
    this.log(LOGDEBUG, `skip, ${why}`);
    return DECLINED;
  }
}
