// dont_require_anglebrackets: accept "MAIL FROM:user@example.com" (without
// the <> RFC 5321 requires) by adding the brackets before the address is
// parsed. It answers OK, so later mail_pre/rcpt_pre plugins do not run.
//
// docs: docs/plugins/dont_require_anglebrackets.md

import { LOGINFO, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

export default class DontRequireAnglebrackets extends Plugin {
  hook_mail_pre(_transaction: Transaction, address: string | undefined): HookResult {
    return [OK, this.bracketed(address, 'MAIL')];
  }

  hook_rcpt_pre(_transaction: Transaction, address: string | undefined): HookResult {
    return [OK, this.bracketed(address, 'RCPT')];
  }

  private bracketed(address: string | undefined, command: string): string {
    const text = address ?? '';
    if (/^<.*>$/s.test(text)) return text;
    this.adjust_karma(-2);
    this.log(LOGINFO, `fail, added ${command} angle brackets`);
    return `<${text}>`;
  }
}
