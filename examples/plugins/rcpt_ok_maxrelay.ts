// plugins-2009.pod, "Changing return values": rcpt_ok_maxrelay wraps the
// bundled rcpt_ok plugin (isa_plugin) and changes its answer: it counts the
// refused relaying attempts of the connection (a connection note, so the
// count survives RSET and new transactions) and drops the connection after
// MAX_RELAY_ATTEMPTS of them.
//
//   config/plugins:  rcpt_ok_maxrelay [MAX_RELAY_ATTEMPTS]
//
// MAX_RELAY_ATTEMPTS defaults to 5; 0 disables the limit. Do not load it
// together with rcpt_ok, and load it last among the rcpt plugins, as rcpt_ok.

import { DENY, DENY_DISCONNECT, LOGINFO, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class RcptOkMaxrelay extends Plugin {
  private countRelayMax = 5;

  init(_qp: Qp, ...args: string[]): void {
    if (args.length > 1) throw new Error('too many arguments');
    if (args[0] !== undefined) {
      if (!/^\d+$/.test(args[0])) throw new Error(`MAX_RELAY_ATTEMPTS must be a number, not "${args[0]}"`);
      this.countRelayMax = Number(args[0]);
    }
    this.isa_plugin('rcpt_ok');
  }

  async hook_rcpt(transaction: Transaction, recipient: Address): Promise<HookResult> {
    const result: HookResult = await this.SUPER.hook_rcpt(transaction, recipient);
    const rc = Array.isArray(result) ? result[0] : result;
    if (rc !== DENY || !this.countRelayMax) return result;

    const count = (Number(this.connection.notes('count_relay_attempts')) || 0) + 1;
    this.connection.notes('count_relay_attempts', count);
    if (count <= this.countRelayMax) return result;
    this.log(LOGINFO, `${count} relaying attempts, disconnecting`);
    // Qpsmtpd::DSN->relaying_denied(DENY_DISCONNECT, ...): the text gets the status (#5.7.1).
    return [DENY_DISCONNECT, 'Too many relaying attempts (#5.7.1)'];
  }
}
