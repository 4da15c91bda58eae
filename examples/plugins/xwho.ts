// plugins.pod, hook_unrecognized_command: a new SMTP verb. The core knows
// EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT; any other verb runs this
// hook with the verb (lower case) and the rest of the line. To implement a
// command, answer the client with this.qp.respond() and return DONE; DECLINED
// leaves the verb to the next plugin, and finally to the core's
// "500 Unrecognized command". DONE also means plugins after this one (such as
// count_unrecognized_commands) do not count the command as unknown.
//
//   config/plugins:  xwho
//
//   C: XWHO
//   S: 250 You are [192.0.2.7], HELO client.example, 2 commands so far
//   C: XWHO me
//   S: 501 XWHO takes no arguments

import { DECLINED, DONE, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class Xwho extends Plugin {
  async hook_unrecognized_command(_transaction: Transaction, verb: string, rest: string | undefined): Promise<HookResult> {
    if (verb !== 'xwho') return DECLINED;
    if (rest !== undefined && rest.trim() !== '') {
      await this.qp.respond(501, 'XWHO takes no arguments');
      return DONE;
    }
    const conn = this.connection;
    const helo = conn.hello_host() === undefined ? 'no HELO yet' : `HELO ${conn.hello_host()}`;
    await this.qp.respond(250, `You are [${conn.remote_ip()}], ${helo}, ${this.qp.command_counter()} commands so far`);
    return DONE;
  }
}
