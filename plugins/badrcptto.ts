// badrcptto: refuse recipients listed in config badrcptto.
//
//   badrcptto        (also loaded as check_badrcptto)
//
// A line of badrcptto is one of
//   user@host [reason]    that exact address
//   @host [reason]        every address at host
//   pattern [reason]      a regular expression (a line containing any of
//                         / ^ $ * + ! % ? \) matched against user@host
// all ignoring case. A match gives "550 <reason>", or without a reason
// "550 mail to <entry> not accepted here (#5.1.1)" (decision 16: qpsmtpd
// 0.94 ignored the reason). Immune clients and recipients without a user or
// host part (<postmaster>) are not checked.
//
// docs: docs/plugins/badrcptto.md

import type { Address } from '../src/address/address';
import { DECLINED, DENY, LOGERROR, LOGINFO } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import { findListed } from '../src/plugin/address-list';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_REPLY = (entry: string): string => `mail to ${entry} not accepted here (#5.1.1)`;

export default class BadRcptTo extends Plugin {
  hook_rcpt(_transaction: Transaction, recipient: Address | undefined): HookResult {
    if (this.is_immune()) return DECLINED;
    const user = recipient?.user();
    const host = recipient?.host();
    if (!user || !host) {
      this.log(LOGINFO, 'skip: missing host or user');
      return DECLINED;
    }
    const lines = this.qp.config('badrcptto', 'list');
    if (lines.length === 0) {
      this.log(LOGINFO, 'skip, empty config');
      return DECLINED;
    }

    const to = `${user}@${host}`;
    const entry = findListed(lines, to, { patternFlags: 'i', onBadEntry: (m) => this.log(LOGERROR, m) });
    if (!entry) {
      this.log(LOGINFO, 'pass');
      return DECLINED;
    }
    this.log(LOGINFO, `fail: ${entry.how} match (${entry.bad})`);
    this.adjust_karma(-2);
    return [DENY, entry.reason || DEFAULT_REPLY(entry.bad)];
  }
}
