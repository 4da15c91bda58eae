// earlytalker: refuse clients that talk before the greeting, as the
// direct-to-MX spam engines that pipeline a whole conversation do.
//
//   earlytalker [wait S] [check-at CONNECT|DATA]... [reject 0|1|naughty]
//               [reject_type temp|perm|disconnect|temp_disconnect]
//               [defer-reject 0|1] [action deny|denysoft|log]
//   (also loaded as check_earlytalker)
//
// Before the greeting (check-at CONNECT, the default) it waits up to `wait`
// seconds (default 1, fractions allowed; the connection note
// earlytalker_wait overrides it) for the client's first bytes; at check-at
// DATA it waits the same way before the 354. Whatever the client sent stays
// unread, so a tolerated early talker's commands are still answered. With
// defer-reject the greeting is sent anyway and every MAIL is refused
// instead. Immune clients are not checked, nor clients whose
// karma_history note is above 5 (at connect).
//
// docs: docs/plugins/earlytalker.md

import { DECLINED, DENY, LOGERROR, LOGINFO } from '../src/constants';
import type { Input } from '../src/io/input';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const REPLY = 'Connecting host started transmitting before SMTP greeting';
const LOG = {
  talked: 'remote started talking before we said hello',
  quiet: 'pass, not spontaneous',
  badArgs: 'Unrecognized/mismatched arguments',
};
const DEFAULT_WAIT_S = 1;
/** Above this karma_history, a client is trusted to wait for the greeting. */
const TRUSTED_KARMA = 5;

export default class Earlytalker extends Plugin {
  private waitSeconds = DEFAULT_WAIT_S;
  private reject = '1';
  private rejectType = 'perm';
  private deferReject = false;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 !== 0) {
      this.log(LOGERROR, LOG.badArgs);
      return;
    }
    const settings = new Map<string, string>();
    const checkAt = new Set<string>();
    for (let i = 0; i < args.length; i += 2) {
      const [key, value] = [args[i]!, args[i + 1]!];
      settings.set(key, value);
      if (key.toLowerCase() === 'check-at') checkAt.add(value.toUpperCase());
    }
    if (checkAt.size === 0) checkAt.add('CONNECT');

    const wait = Number(settings.get('wait') ?? DEFAULT_WAIT_S);
    this.waitSeconds = Number.isFinite(wait) && wait > 0 ? wait : 0;
    // The legacy "action" only turns rejection on or off: in qpsmtpd "action denysoft" never chose a temporary refusal.
    const action = settings.get('action');
    this.reject = settings.get('reject') ?? (action === undefined ? '1' : /^deny/i.test(action) ? '1' : '0');
    // qpsmtpd's default with defer-reject (given at all) is temp, otherwise perm.
    this.rejectType = settings.get('reject_type') ?? (settings.has('defer-reject') ? 'temp' : 'perm');

    if (checkAt.has('CONNECT')) this.register_hook('connect', 'connect_handler');
    if (checkAt.has('DATA')) this.register_hook('data', 'data_handler');
    this.deferReject = isTrue(settings.get('defer-reject'));
    if (this.deferReject) this.register_hook('mail', 'mail_handler');
  }

  async connect_handler(): Promise<HookResult> {
    if (this.is_immune()) return DECLINED;
    const karma = this.connection.notes('karma_history');
    if (karma !== undefined && Number(karma) > TRUSTED_KARMA) {
      this.log(LOGINFO, `skip, karma ${karma}`);
      return DECLINED;
    }
    if (!(await this.clientTalked())) return this.pass();
    if (this.deferReject) {
      this.connection.notes('earlytalker', 1);
      this.adjust_karma(-1);
      this.log(LOGINFO, `${LOG.talked}, refusing at MAIL`);
      return DECLINED;
    }
    return this.refuse();
  }

  async data_handler(): Promise<HookResult> {
    if (this.is_immune()) return DECLINED;
    return (await this.clientTalked()) ? this.refuse() : this.pass();
  }

  mail_handler(): HookResult {
    return this.connection.notes('earlytalker') ? this.refuse() : DECLINED;
  }

  /** Whether the client's bytes came within the wait, left unread for the session. */
  private async clientTalked(): Promise<boolean> {
    const input = (this.qp as { input?: Input }).input;
    if (!input) return false;
    const noted = Number(this.connection.notes('earlytalker_wait'));
    const seconds = noted > 0 ? noted : this.waitSeconds;
    return input.waitForData(seconds * 1000);
  }

  private pass(): HookResult {
    this.log(LOGINFO, LOG.quiet);
    return DECLINED;
  }

  /** qpsmtpd's get_reject with this plugin's own reject settings (they have legacy defaults). */
  private refuse(): HookResult {
    this.connection.notes('earlytalker', 1);
    this.adjust_karma(-1);
    if (this.reject === '0' || this.reject === '') {
      this.log(LOGINFO, `fail, tolerated, ${LOG.talked}`);
      return DECLINED;
    }
    if (this.reject === 'naughty') {
      this.log(LOGINFO, `fail, naughty, ${LOG.talked}`);
      return this.store_deferred_reject(`(${this.plugin_name()}) ${REPLY}`);
    }
    this.log(LOGINFO, `fail, ${LOG.talked}`);
    return [this.get_reject_type(DENY, this.rejectType), REPLY];
  }
}

/** Perl's truth: anything but undefined, '' and '0'. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}
