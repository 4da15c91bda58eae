// plugins.pod, "Loading Plugins": the same plugin file loaded twice with
// different arguments,
//
//   config/plugins:  my_rcpt_check example.com
//                    my_rcpt_check:0 example.org
//
// Each line is a separate instance with its own domain (register() gets the
// words after the name); the ":0" instance is named my_rcpt_check_3a0 in logs
// and notes (plugin_name()). An instance decides only for recipients at its
// domain: OK for the addresses listed in config my_rcpt_check_users (one
// "user@domain" a line, read with this.qp.config(name, 'list') as in
// "Config files"), DENY for the others, DECLINED for other domains so that the
// next rcpt plugin runs.

import { DECLINED, DENY, LOGDEBUG, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class MyRcptCheck extends Plugin {
  private domain = '';

  register(_qp: Qp, domain?: string): void {
    if (!domain) throw new Error('my_rcpt_check: which domain? (my_rcpt_check example.com)');
    this.domain = domain.toLowerCase();
  }

  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    const host = recipient.host()?.toLowerCase();
    if (host !== this.domain) {
      this.log(LOGDEBUG, `${recipient.format()}: not at ${this.domain}, declined`);
      return DECLINED;
    }
    const wanted = recipient.address().toLowerCase();
    const users = this.qp.config('my_rcpt_check_users', 'list').map((line) => line.toLowerCase());
    if (users.includes(wanted)) {
      this.log(LOGDEBUG, `${recipient.format()}: known user at ${this.domain}`);
      return OK;
    }
    this.log(LOGDEBUG, `${recipient.format()}: unknown user at ${this.domain}`);
    return [DENY, `no such user here (${this.domain})`];
  }
}
