// examples/walkthrough/plugins/helo_check.ts
// helo_check [reject 0|naughty] [reject_type temp|perm|disconnect|temp_disconnect] [loglevel N]
//
// Refuses a HELO or EHLO name that is our own (config me) or that is listed
// in config helo_check_bad (one name per line, any case): a stranger who
// greets us with our own name or with "localhost" is lying about who it is.
// Relay clients are not checked. How a bad name is answered is chosen with
// the arguments that qpsmtpd's policy plugins share: 550 by default, 450 with
// "reject_type temp", only a log line with "reject 0".
import { DECLINED, LOGDEBUG, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

// loglevel is every plugin's own: it changes the level of the lines this plugin logs.
const ARGUMENTS = ['reject', 'reject_type', 'loglevel'];

export default class HeloCheck extends Plugin {
  register(_qp: Qp, ...args: string[]): void {
    // The arguments come in pairs. A typo in config/plugins stops the server
    // from starting (every client gets 421), instead of being ignored.
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i]!;
      if (!ARGUMENTS.includes(key)) throw new Error(`helo_check: unknown argument "${key}" (known: ${ARGUMENTS.join(', ')})`);
      if (args[i + 1] === undefined) throw new Error(`helo_check: "${key}" needs a value`);
    }
  }

  hook_helo(_transaction: Transaction, host: string): HookResult {
    return this.check(host);
  }

  hook_ehlo(_transaction: Transaction, host: string): HookResult {
    return this.check(host);
  }

  private check(host: string): HookResult {
    if (this.is_immune()) return DECLINED;
    const name = host.toLowerCase();
    const bad = this.qp.config('helo_check_bad', 'list').map((line) => line.toLowerCase());
    this.log(LOGDEBUG, `checking ${name} against ${bad.length} listed name(s)`);
    if (name === this.qp.config('me')?.toLowerCase()) {
      return this.get_reject(`You are not ${host}`, `our own name: ${host}`);
    }
    if (bad.includes(name)) {
      return this.get_reject(`${host} is not a name on the Internet`, `listed in helo_check_bad: ${host}`);
    }
    return DECLINED;
  }
}
