// naughty: carries out the rejections other plugins deferred. A plugin
// configured with "reject naughty" (get_reject, store_deferred_reject) leaves
// its reply text in the connection note "naughty" and its reject_type in
// "naughty_reject_type"; at the hook chosen here that text becomes the reply.
//
//   naughty [reject connect|mail|rcpt|data|data_post] [reject_type temp|perm|disconnect|temp_disconnect]
//
// reject: where to refuse (default rcpt); data_post is always hooked too, as
// a last chance when an earlier plugin answered OK before naughty ran.
// reject_type: used when the deferring plugin gave none (default disconnect).
// The note is never cleared, so every later transaction of the connection is
// refused too, as in qpsmtpd.
//
// docs: docs/plugins/naughty.md

import { DECLINED, DENY_DISCONNECT, LOGDEBUG, LOGERROR, LOGINFO } from '../src/constants';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

/** The hooks "reject" may name. */
const PHASES = ['connect', 'mail', 'rcpt', 'data', 'data_post'];
const DEFAULT_PHASE = 'rcpt';

export default class Naughty extends Plugin {
  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 === 1) this.log(LOGERROR, 'Bad arguments');
    const phase = (this.get_arg('reject') || DEFAULT_PHASE).toLowerCase();
    if (!PHASES.includes(phase)) {
      this.log(LOGERROR, `fail, invalid hook ${phase}`);
      this.register_hook('data_post', 'naughty');
      return;
    }
    if (phase !== 'data_post') this.register_hook('data_post', 'naughty');
    this.log(LOGDEBUG, `registering hook ${phase}`);
    this.register_hook(phase, 'naughty');
  }

  naughty(): HookResult {
    const reasons = this.connection.notes('naughty');
    if (!reasons) {
      this.log(LOGINFO, 'pass');
      return DECLINED;
    }
    this.log(LOGINFO, 'disconnecting');
    // An empty stored type falls through to our own reject_type, as Perl's || does.
    const stored = this.connection.notes('naughty_reject_type') || undefined;
    return [this.get_reject_type(DENY_DISCONNECT, stored), String(reasons)];
  }
}
