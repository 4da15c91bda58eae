// plugins.pod, "Inheritance": rcpt_ok_child inherits from the bundled rcpt_ok
// plugin with isa_plugin() (called from init), does something of its own in
// hook_rcpt, and lets the parent decide through this.SUPER.hook_rcpt().
//
//   config/plugins:  rcpt_ok_child        (instead of rcpt_ok, not with it)
//
// The parent's code runs as this plugin: its log lines carry the name
// rcpt_ok_child, and its helpers (is_immune, config) see this plugin's session.
// "Something special" here: the recipient is logged, and counted in a
// transaction note the other plugins can read.

import { LOGINFO, Plugin, type Address, type HookReturn, type Qp, type Transaction } from 'qpsmtpd';

export default class RcptOkChild extends Plugin {
  init(_qp: Qp): void {
    this.isa_plugin('rcpt_ok');
  }

  hook_rcpt(transaction: Transaction, recipient: Address): HookReturn {
    // do something special here...
    const seen = (Number(transaction.notes('rcpt_ok_child_seen')) || 0) + 1;
    transaction.notes('rcpt_ok_child_seen', seen);
    this.log(LOGINFO, `recipient ${seen}: ${recipient.format()}, asking rcpt_ok`);
    return this.SUPER.hook_rcpt(transaction, recipient);
  }
}
