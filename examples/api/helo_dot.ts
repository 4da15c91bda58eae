// examples/api/helo_dot.ts
// helo_dot [reject 0|naughty] [reject_type temp|perm|disconnect|temp_disconnect]:
// a HELO/EHLO name must contain a dot or be an address literal. How a failure
// is answered is the admin's choice, through the reject arguments that
// qpsmtpd's policy plugins share (get_reject). Relay clients are not checked.
import { DECLINED, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class HeloDot extends Plugin {
  hook_helo(_transaction: Transaction, host: string): HookResult {
    return this.check(host);
  }

  hook_ehlo(_transaction: Transaction, host: string): HookResult {
    return this.check(host);
  }

  private check(host: string): HookResult {
    if (this.is_immune()) return DECLINED;
    if (host.includes('.') || /^\[.+\]$/.test(host)) return DECLINED;
    this.adjust_karma(-1);
    return this.get_reject(`${host} is not a fully qualified name`, `no dot in ${host}`);
  }
}
