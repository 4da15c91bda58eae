// count_unrecognized_commands [N]: close the connection at the N-th
// unrecognized command (default 4), counted in the connection note
// unrec_cmd_count. Below N the core answers "500 Unrecognized command".
//
// docs: docs/plugins/count_unrecognized_commands.md

import { DECLINED, DENY_DISCONNECT, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const CLOSING = (count: number): string => `Closing connection, ${count} unrecognized commands. Perhaps you should read RFC 2821?`;

export default class CountUnrecognizedCommands extends Plugin {
  private max = 4;

  register(_qp: Qp, max?: string, ...extra: string[]): void {
    if (max !== undefined) {
      if (!/^\d+$/.test(max) || Number(max) === 0) throw new Error(`count_unrecognized_commands: "${max}" is not a positive number`);
      this.max = Number(max);
    }
    if (extra.length > 0) this.log(LOGWARN, 'Ignoring additional arguments.');
  }

  hook_unrecognized_command(_transaction: Transaction, command: string): HookResult {
    const count = (Number(this.connection.notes('unrec_cmd_count')) || 0) + 1;
    this.connection.notes('unrec_cmd_count', count);
    if (count < this.max) {
      this.log(LOGINFO, `'${command}', (${count})`);
      return DECLINED;
    }
    this.log(LOGINFO, `fail, '${command}' (${count})`);
    return [DENY_DISCONNECT, CLOSING(count)];
  }
}
