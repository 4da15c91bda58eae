// examples/testing/plugins/local_users.ts
// local_users <domain>: a recipient at <domain> must be listed in the config
// file local_users (one local part per line); recipients at other domains
// are left to the next rcpt plugin. The connection note local_users_refused
// counts the refused recipients.
import { DECLINED, DENY, LOGINFO, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class LocalUsers extends Plugin {
  private domain = '';

  register(_qp: Qp, domain?: string): void {
    if (!domain) throw new Error('local_users needs the domain as its argument');
    this.domain = domain.toLowerCase();
  }

  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    if (recipient.host()?.toLowerCase() !== this.domain) return DECLINED;
    const users = this.qp.config('local_users', 'list');
    if (users.includes((recipient.user() ?? '').toLowerCase())) return OK;
    this.connection.notes('local_users_refused', (this.connection.notes('local_users_refused') ?? 0) + 1);
    this.log(LOGINFO, `unknown user ${recipient.format()}`);
    return [DENY, 'no mailbox here by that name'];
  }
}
