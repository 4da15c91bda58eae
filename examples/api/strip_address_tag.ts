// examples/api/strip_address_tag.ts
// strip_address_tag: "alice+lists@example.com" becomes "alice@example.com"
// before the next rcpt plugin looks at it. The Address object is the one the
// core adds to the transaction, so the change is kept; the 250 reply shows it.
import { DECLINED, Plugin, type Address, type HookResult, type Transaction } from 'qpsmtpd';

export default class StripAddressTag extends Plugin {
  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    const user = recipient.user();
    if (user?.includes('+')) recipient.user(user.slice(0, user.indexOf('+')));
    return DECLINED;
  }
}
