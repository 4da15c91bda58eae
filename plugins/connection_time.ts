// connection_time: log how long each connection lasted, from the first hook
// of the session (pre-connection, else connect) to post-connection:
// "0.042 s." at LOGINFO.
//
//   connection_time [loglevel N|+N|-N]   shift or set the level of its lines
//   connection_time LEVEL                old form: every line at LEVEL (a
//                                        number or a name such as LOGNOTICE)
//
// docs: docs/plugins/connection_time.md

import { DECLINED, LOGDEBUG, LOGERROR, LOGINFO, log_level } from '../src/constants';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const LOG = {
  started: (epochSeconds: number) => `started at ${epochSeconds}`,
  elapsed: (seconds: number) => `${seconds.toFixed(3)} s.`,
  noStart: 'Start time not set?!',
  badArgs: 'invalid arguments',
};

export default class ConnectionTime extends Plugin {
  private startMs: number | undefined;
  /** The old one-argument form: every line of this plugin at this level. */
  private fixedLevel: number | undefined;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length === 1) {
      const named = /\D/.test(args[0]!) ? log_level(args[0]!) : Number(args[0]);
      // qpsmtpd: an unknown name, or 0, means LOGINFO.
      this.fixedLevel = typeof named === 'number' && named > 0 && named <= LOGDEBUG ? named : LOGINFO;
    } else if (args.length % 2 !== 0) {
      this.say(LOGERROR, LOG.badArgs);
    }
    // tcpserver and inetd had no pre-connection in qpsmtpd; here both run, and the first one counts.
    this.register_hook('pre-connection', 'start');
    this.register_hook('connect', 'start');
  }

  start(): HookResult {
    if (this.startMs !== undefined) return DECLINED;
    this.startMs = performance.now();
    this.say(LOGDEBUG, LOG.started(Date.now() / 1000));
    return DECLINED;
  }

  hook_post_connection(): HookResult {
    if (this.startMs === undefined) this.say(LOGERROR, LOG.noStart);
    else this.say(LOGINFO, LOG.elapsed((performance.now() - this.startMs) / 1000));
    return DECLINED;
  }

  private say(level: number, message: string): void {
    this.log(this.fixedLevel ?? level, message);
  }
}
