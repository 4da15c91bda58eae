// plugins.pod, "Initialisation": hooks registered under method names of the
// plugin's own choosing. Methods named hook_<name> are registered by
// themselves; any other method is registered from register() with
// this.register_hook(hook, method name). This plugin has no hook_* method
// at all: `--check` lists it for the mail and rcpt hooks all the same.
//
//   config/plugins:  custom_handlers
//
// mail_handler refuses the null sender <> (this host sends no mail, so no
// bounce can be for it); rcpt_handler accepts postmaster at any domain (RFC
// 5321 4.5.1) and leaves every other recipient to the next rcpt plugin.

import { DECLINED, DENY, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class CustomHandlers extends Plugin {
  register(_qp: Qp): void {
    this.register_hook('mail', 'mail_handler');
    this.register_hook('rcpt', 'rcpt_handler');
  }

  mail_handler(_transaction: Transaction, sender: Address): HookResult {
    if (sender.isNull()) return [DENY, 'we send no mail, so no bounce can be for us'];
    return DECLINED;
  }

  rcpt_handler(_transaction: Transaction, recipient: Address): HookResult {
    return recipient.user()?.toLowerCase() === 'postmaster' ? OK : DECLINED;
  }
}
