// random_error: fail at random, to test how clients and the plugins after
// it cope with temporary failures.
//
//   random_error [PERCENT]   the chance (default 1) that a session fails on
//                            its way to the queue; 0 or less: never
//
// Each of connect, HELO, EHLO, MAIL, RCPT, DATA and the end of the message
// fails with a chance chosen so that the six steps a message passes fail
// PERCENT % of the time together (qpsmtpd turned 0 into its default 1).
// A failure is "random failure" as a DENYSOFT (3 times in 5) or a
// DENYSOFT_DISCONNECT (2 in 5). The connection note random_fail_% holds the
// percentage (set at connect); other plugins may change it for the rest of
// the session.
//
// docs: docs/plugins/random_error.md

import { DECLINED, DENYSOFT, DENYSOFT_DISCONNECT, LOGINFO } from '../src/constants';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const REPLY = 'random failure';
const NOTE = 'random_fail_%';
const DEFAULT_PERCENT = 1;
/** The checks a message passes on its way to the queue (connect is extra, as in qpsmtpd). */
const STEPS = 6;
/** Of the failures, this share also closes the connection. */
const DISCONNECT_SHARE = 2 / 5;

export default class RandomError extends Plugin {
  private percent = DEFAULT_PERCENT;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length > 1) throw new Error(`Invalid args: '${args.join(' ')}'`);
    if (args[0] !== undefined) this.percent = Number(args[0]);
    if (Number.isNaN(this.percent)) throw new Error(`Invalid args: '${args[0]}' is not a number`);
    for (const hook of ['helo', 'ehlo', 'mail', 'rcpt', 'data', 'data_post']) this.register_hook(hook, 'maybe_fail');
  }

  hook_connect(): HookResult {
    this.connection.notes(NOTE, this.percent);
    return this.maybe_fail();
  }

  maybe_fail(): HookResult {
    // Without the note (a connect plugin before this one decided), the argument counts.
    const percent = Number(this.connection.notes(NOTE) ?? this.percent) || 0;
    // Each step passes with the sixth root of the chance that the whole session passes.
    const passStep = (1 - percent / 100) ** (1 / STEPS);
    this.log(LOGINFO, `to fail, rand(1) must be more than ${passStep}`);
    if (percent <= 0 || Math.random() < passStep) return DECLINED;
    return [Math.random() < DISCONNECT_SHARE ? DENYSOFT_DISCONNECT : DENYSOFT, REPLY];
  }
}
