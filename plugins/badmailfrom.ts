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

import type { Address } from '../src/address/address';
import { DECLINED, LOGDEBUG, LOGERROR, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_REASON = 'Your envelope sender is in my badmailfrom list';

export default class BadMailFrom extends Plugin {
  hook_mail(_transaction: Transaction, sender: Address | undefined): HookResult {
    if (this.is_immune()) return DECLINED;
    const lines = this.qp.config('badmailfrom', 'list');
    if (lines.length === 0) return this.skip('empty list');
    if (!sender || sender.isNull()) return this.skip('null sender');
    const user = sender.user();
    const host = sender.host();
    if (!user || !host) return this.skip('missing user or host');

    const from = `${user}@${host}`.toLowerCase();
    for (const line of lines) {
      const entry = parseListLine(line);
      if (!this.matches(entry, from)) continue;
      this.adjust_karma(-1);
      return this.get_reject(entry.reason || DEFAULT_REASON);
    }
    this.log(LOGINFO, 'pass');
    return DECLINED;
  }

  private matches(entry: ListEntry, from: string): boolean {
    if (isPattern(entry.bad)) {
      // Case-sensitive on purpose: qpsmtpd lower-cases the address, not the pattern.
      const pattern = compilePattern(entry.bad, '');
      if (!pattern) {
        this.log(LOGERROR, `bad config: invalid pattern ${entry.bad}`);
        return false;
      }
      if (!pattern.test(from)) return false;
      this.log(LOGDEBUG, `badmailfrom pattern (${entry.bad}) match for ${from}`);
      return true;
    }
    if (!entry.bad.includes('@')) {
      this.log(LOGWARN, `badmailfrom: bad config: no @ sign in ${entry.bad}`);
      return false;
    }
    return addressMatches(entry.bad, from);
  }

  private skip(why: string): HookResult {
    this.log(LOGDEBUG, `skip, ${why}`);
    return DECLINED;
  }
}

/** One line of a badmailfrom or badrcptto list: the entry and the optional reason after it. */
export interface ListEntry {
  bad: string;
  reason: string;
}

export function parseListLine(line: string): ListEntry {
  const match = /^(\S+)\s*(.*)$/s.exec(line.trim());
  return { bad: match?.[1] ?? '', reason: match?.[2] ?? '' };
}

/** qpsmtpd's test: an entry with any of these characters is a regular expression. */
export function isPattern(entry: string): boolean {
  return /[/^$*+!%?\\]/.test(entry);
}

/**
 * A Perl pattern as a JavaScript RegExp (undefined when it does not compile).
 * Perl's \A, \z and \Z anchors mean nothing to JavaScript (it would match a
 * literal letter), so they become ^ and $.
 */
export function compilePattern(source: string, flags: string): RegExp | undefined {
  const translated = source.replace(/\\(.)/gs, (escape, ch: string) =>
    ch === 'A' ? '^' : ch === 'z' || ch === 'Z' ? '$' : escape,
  );
  try {
    return new RegExp(translated, flags);
  } catch {
    return undefined;
  }
}

/** "user@host" equals the address, "@host" its host part; both ignore case. */
export function addressMatches(entry: string, address: string): boolean {
  const bad = entry.toLowerCase();
  const lower = address.toLowerCase();
  if (bad.startsWith('@')) return lower.slice(lower.lastIndexOf('@')) === bad;
  return bad === lower;
}
