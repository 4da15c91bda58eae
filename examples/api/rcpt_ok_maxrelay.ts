// examples/api/rcpt_ok_maxrelay.ts
// rcpt_ok_maxrelay [max]: the bundled rcpt_ok, but after more than <max>
// refused relaying attempts (default 5; 0: no limit) the client is
// disconnected. The isa_plugin example of qpsmtpd's plugin guide.
import { DENY, DENY_DISCONNECT, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

declare module 'qpsmtpd' {
  interface ConnectionNotes {
    /** Refused relaying attempts on this connection (rcpt_ok_maxrelay). */
    count_relay_attempts?: number;
  }
}

export default class RcptOkMaxrelay extends Plugin {
  private max = 5;

  init(_qp: Qp, max?: string): void {
    if (max !== undefined) this.max = Number(max);
    this.isa_plugin('rcpt_ok');
  }

  async hook_rcpt(transaction: Transaction, recipient: Address): Promise<HookResult> {
    const result: HookResult = await this.SUPER.hook_rcpt(transaction, recipient);
    const code = Array.isArray(result) ? result[0] : result;
    if (code !== DENY || this.max === 0) return result;
    const count = (this.connection.notes('count_relay_attempts') ?? 0) + 1;
    this.connection.notes('count_relay_attempts', count);
    if (count <= this.max) return result;
    return [DENY_DISCONNECT, 'Too many relaying attempts'];
  }
}
