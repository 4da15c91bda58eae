// rcpt_regexp: answer RCPT from a list of recipient patterns and addresses,
// each with the return code to give.
//
//   rcpt_regexp            (no arguments)
//
// Config rcpt_regexp, one rule per line, the first that matches decides:
//   /regex/    CODE [text]    a Perl-style regular expression, any case,
//                             matched against the lower-cased user@host
//   user@host  CODE [text]    that address, any case
// CODE is OK, DENY, DENYSOFT, DENY_DISCONNECT, DENYSOFT_DISCONNECT or
// DECLINED (DECLINED ends the search: the next rcpt plugin decides); the text
// is the reply of a refusal. A line that cannot be used (bad pattern, missing
// or unknown code) is logged at LOGWARN and skipped. Recipients without a
// domain (<postmaster>) are left to the next plugin.
//
// docs: docs/plugins/rcpt_regexp.md

import type { Address } from '../src/address/address';
import { DECLINED, DONE, LOGDEBUG, LOGWARN, return_code } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import { compilePattern } from '../src/plugin/address-list';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const WARNING = {
  badPattern: (pattern: string) => `REGEXP '${pattern}' not valid, line skipped`,
  noCode: (line: string) => `no return code in "${line}", line skipped`,
  badCode: (code: string) => `'${code}' is not a valid constant, ignoring this line`,
  done: (line: string) => `DONE would leave the client without a reply, line skipped: "${line}"`,
} as const;

interface Rule {
  matches(recipient: string): boolean;
  code: number;
  codeName: string;
  text: string | undefined;
  what: string;
}

export default class RcptRegexp extends Plugin {
  private rules: Rule[] | undefined;

  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    const user = recipient.user();
    const host = recipient.host();
    if (!user || !host) return DECLINED;

    const rcpt = `${user}@${host}`.toLowerCase();
    this.rules ??= this.readRules();
    const rule = this.rules.find((r) => r.matches(rcpt));
    if (!rule) return DECLINED;
    this.log(LOGDEBUG, `${rule.what} matched ${rcpt}, returning ${rule.codeName}`);
    return rule.text === undefined ? rule.code : [rule.code, rule.text];
  }

  /** The usable lines of config rcpt_regexp (read once: config does not change within a process). */
  private readRules(): Rule[] {
    const rules: Rule[] = [];
    for (const line of this.qp.config('rcpt_regexp', 'list')) {
      const [entry, codeName, text] = splitThree(line);
      const slashed = /^\/(.*)\/$/s.exec(entry);
      let matches: (rcpt: string) => boolean;
      if (slashed) {
        const pattern = compilePattern(slashed[1] ?? '', 'i');
        if (!pattern) {
          this.log(LOGWARN, WARNING.badPattern(slashed[1] ?? ''));
          continue;
        }
        matches = (rcpt) => pattern.test(rcpt);
      } else {
        const address = entry.toLowerCase();
        matches = (rcpt) => rcpt === address;
      }
      if (codeName === undefined) {
        this.log(LOGWARN, WARNING.noCode(line));
        continue;
      }
      const code = return_code(codeName);
      if (typeof code !== 'number') {
        this.log(LOGWARN, WARNING.badCode(codeName));
        continue;
      }
      if (code === DONE) {
        this.log(LOGWARN, WARNING.done(line));
        continue;
      }
      rules.push({ matches, code, codeName, text, what: slashed ? `RE ${entry}` : `String ${entry}` });
    }
    return rules;
  }
}

/** "a  b   c d" -> ['a', 'b', 'c d']: two words, then the rest as it is. */
function splitThree(line: string): [string, string | undefined, string | undefined] {
  const [, first = '', second, rest] = /^(\S+)(?:\s+(\S+)(?:\s+(.*))?)?$/s.exec(line) ?? [];
  return [first, second, rest];
}
