// examples/api/my_rcpt_check.ts
// my_rcpt_check <domain>: a recipient at <domain> must be listed in the
// config file my_rcpt_check_users (one local part per line); recipients at
// other domains are left to the next rcpt plugin.
import { DECLINED, DENY, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class MyRcptCheck extends Plugin {
  private domain = 'example.com';

  register(_qp: Qp, domain?: string): void {
    if (domain) this.domain = domain.toLowerCase();
  }

  async hook_rcpt(_transaction: Transaction, recipient: Address): Promise<HookResult> {
    if (recipient.host()?.toLowerCase() !== this.domain) return DECLINED;
    if (await this.knownUser(recipient.user() ?? '')) return OK;
    return [DENY, 'no such user here'];
  }

  // A real plugin might ask a database here; the hook waits for the answer.
  private async knownUser(user: string): Promise<boolean> {
    return this.qp.config('my_rcpt_check_users', 'list').includes(user.toLowerCase());
  }
}
