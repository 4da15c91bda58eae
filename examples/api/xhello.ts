// examples/api/xhello.ts
// xhello: answers a command the core does not know, XHELLO, itself. The
// plugin writes the reply with qp.respond() and returns DONE, so the core
// sends nothing more; other unknown commands still get "500 Unrecognized command".
import { DECLINED, DONE, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class XHello extends Plugin {
  async hook_unrecognized_command(_transaction: Transaction, verb: string, rest: string | undefined): Promise<HookResult> {
    if (verb !== 'xhello') return DECLINED;
    await this.qp.respond(250, `Hello ${rest ?? 'stranger'}`, `you are ${this.connection.remote_ip()}`);
    return DONE;
  }
}
