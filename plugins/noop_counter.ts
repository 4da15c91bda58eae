// noop_counter: disconnect a client that sends too many NOOPs in a row, a
// way to keep a connection open without doing anything.
//
//   noop_counter [N]     N consecutive NOOPs (default 3) end the connection
//
// HELO, EHLO, MAIL, RCPT, DATA, VRFY, HELP and the end of a transaction
// (RSET, a delivered message) set the count back to 0; unknown commands do
// not. List it before plugins that may answer those commands themselves,
// so that their hooks still reach it.
//
// docs: docs/plugins/noop_counter.md

import { DECLINED, DENY_DISCONNECT } from '../src/constants';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const REPLY = 'Stop wasting my time, too many consecutive NOOPs';
const DEFAULT_MAX = 3;
const RESETTING_HOOKS = ['helo', 'ehlo', 'mail', 'rcpt', 'data', 'reset_transaction', 'vrfy', 'help'];

export default class NoopCounter extends Plugin {
  private max = DEFAULT_MAX;
  private count = 0;

  register(_qp: Qp, max?: string): void {
    // As in qpsmtpd, 0 and anything but digits leave the default.
    if (max && /^\d+$/.test(max) && Number(max) > 0) this.max = Number(max);
    for (const hook of RESETTING_HOOKS) this.register_hook(hook, 'reset_counter');
  }

  hook_noop(): HookResult {
    this.count++;
    return this.count >= this.max ? [DENY_DISCONNECT, REPLY] : DECLINED;
  }

  reset_counter(): HookResult {
    this.count = 0;
    return DECLINED;
  }
}
