// bogus_bounce: checks bounces (messages from the null sender <>): a bounce
// goes to exactly one recipient and carries no Return-Path header with an
// address in it (RFC 3834).
//
//   bogus_bounce [log|deny|denysoft]
//   bogus_bounce [reject 0|1|naughty] [reject_type temp|perm|disconnect|temp_disconnect]
//
// The one-word forms do what qpsmtpd documents: log only, refuse (552), or
// refuse temporarily (452). qpsmtpd's code lost all three of these checks'
// teeth (the one-word deny never refused, the recipient count never reached
// its test, and "Return-Path: <>" counted as a value); docs/differences.md
// says why we do what its documentation says instead.
//
// docs: docs/plugins/bogus_bounce.md

import { DECLINED, LOGINFO } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const TEXT = {
  recipients: 'fail, this bounce message does not have 1 recipient',
  returnPath: 'a bounce return path must be empty (RFC 3834)',
};

/** The one-word forms: the reject settings each stands for. */
const ACTIONS: Record<string, Record<string, string>> = {
  log: { reject: '0' },
  deny: { reject: '1', reject_type: 'perm' },
  denysoft: { reject: '1', reject_type: 'temp' },
};

export default class BogusBounce extends Plugin {
  private settings: Record<string, string> = {};

  register(_qp: Qp, ...args: string[]): void {
    // An odd count: the first word is the action; key/value pairs may follow it.
    const pairs: Record<string, string> = args.length % 2 === 1 ? { action: args.shift()! } : {};
    for (let i = 0; i < args.length; i += 2) pairs[args[i]!] = args[i + 1]!;
    const action = (pairs.action ?? 'log').toLowerCase();
    const implied = ACTIONS[action];
    if (!implied) throw new Error(`bogus_bounce: unknown action "${action}" (log, deny or denysoft)`);
    this.settings = { ...implied, ...pairs };
  }

  /** The arguments as qpsmtpd's register leaves them, for get_reject(). */
  override get_arg(key: string): string | undefined {
    return this.settings[key];
  }

  hook_data_post(transaction: Transaction): HookResult {
    if (!transaction.sender()?.isNull()) {
      this.log(LOGINFO, 'pass, not a null sender');
      return DECLINED;
    }
    const recipients = transaction.recipients();
    if (recipients.length !== 1) {
      this.log(LOGINFO, `fail, bogus bounce to: ${recipients.map((r) => r.address()).join(',')}`);
      return this.get_reject(TEXT.recipients);
    }
    const returnPath = (transaction.header()?.get('Return-Path') ?? '').trim();
    if (returnPath !== '' && returnPath !== '<>') {
      this.log(LOGINFO, 'fail, bounce messages must not have a Return-Path');
      return this.get_reject(TEXT.returnPath);
    }
    this.log(LOGINFO, 'pass, single recipient, empty Return-Path');
    return DECLINED;
  }
}
