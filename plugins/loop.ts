// loop: refuses a message that has been through too many hops, counted as
// qmail-smtpd counts them: its Received plus Delivered-To header fields,
// including the Received field we just added ourselves.
//
//   loop [max]        (also loaded as check_loop)
//
// max: refuse at this many hops or more (default 100, as qmail-smtpd; 0 or
// anything that is not a number means the default).
//
// docs: docs/plugins/loop.md

import { DECLINED, DENY, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_MAX = 100;
const TOO_MANY_HOPS = 'Too many hops (#5.4.6)';
const HOP_FIELDS = ['Received', 'Delivered-To'];

export default class Loop extends Plugin {
  private max = DEFAULT_MAX;

  register(_qp: Qp, max?: string, ...extra: string[]): void {
    if (max && max !== '0') {
      if (/^\d+$/.test(max)) this.max = Number(max);
      else this.log(LOGWARN, 'Invalid max_hops value -- using default');
    }
    if (extra.length > 0) this.log(LOGWARN, 'Ignoring additional arguments');
  }

  hook_data_post(transaction: Transaction): HookResult {
    const header = transaction.header();
    const hops = HOP_FIELDS.reduce((sum, name) => sum + (header?.count(name) ?? 0), 0);
    if (hops < this.max) return DECLINED;
    this.log(LOGINFO, `fail, ${hops} hops (max ${this.max})`);
    return [DENY, TOO_MANY_HOPS];
  }
}
