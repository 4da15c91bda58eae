// examples/api/short_received.ts
// short_received: a shorter Received header than the core's. Each message is
// one line of the header's value; lines after the first must start with a
// blank to continue it.
import { OK, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class ShortReceived extends Plugin {
  hook_received_line(_transaction: Transaction, protocol: string): HookResult {
    const conn = this.connection;
    return [OK, `from ${conn.hello_host()} ([${conn.remote_ip()}])`, ` by ${this.qp.config('me')} with ${protocol}`];
  }
}
