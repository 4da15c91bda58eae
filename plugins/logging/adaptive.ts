// logging/adaptive [accept L] [reject L] [prefix C]: one log, two levels of
// detail, split by whether mail was refused (qpsmtpd's plugin, same lines).
//
// Every line up to `reject` (default LOGWARN) goes to stderr at once:
// "<pid> <plugin> plugin: <message>". The lines up to `accept` (default
// LOGERROR; only those up to `reject` too) are also kept in memory; when the
// transaction ends (reset_transaction: after the queue, RSET, the next MAIL,
// the end of the connection) and nothing in the connection has been refused
// so far (the deny hook never ran), they are written again with the prefix
// (default "`") after the pid: "<pid> ` <plugin> plugin: <message>". A log
// filter such as multilog's '+*` *' then keeps the short story of accepted
// mail apart from the detailed one.
//
// docs: docs/plugins/logging/adaptive.md

import { DECLINED, LOGERROR, LOGINFO, LOGWARN } from '../../src/constants';
import { oneLine, writeStderr } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { parseLevel, sourceLabel, warnOnStderr } from './shared';

const NAME = 'logging/adaptive';

/** Text kept for one transaction before further lines are only counted (memory stays bounded). */
const MAX_KEPT = 1 << 20;

export default class LoggingAdaptive extends Plugin {
  private accept = LOGERROR;
  private reject = LOGWARN;
  private prefix = '`';
  private kept: string[] = [];
  private keptBytes = 0;
  private notKept = 0;
  private denied = false;
  private resets = 0;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 !== 0) throw new Error(`${NAME}: arguments come in pairs (accept L, reject L, prefix C): ${args.join(' ')}`);
    for (let i = 0; i < args.length; i += 2) {
      const [key, value] = [args[i]!, args[i + 1]!];
      if (key === 'accept') this.accept = parseLevel(NAME, value);
      else if (key === 'reject') this.reject = parseLevel(NAME, value);
      else if (key === 'prefix') this.prefix = value;
      else throw new Error(`${NAME}: unknown argument ${key} (accept, reject or prefix)`);
    }
    this.log(LOGINFO, 'Initializing logging::adaptive plugin');
  }

  hook_logging(
    _transaction: Transaction | undefined,
    level: number,
    hook: string | undefined,
    plugin: string | undefined,
    message: string,
  ): HookResult {
    if (plugin === this.plugin_name() || level > this.reject) return DECLINED;
    const line = `${sourceLabel(hook, plugin)} ${oneLine(message)}`;
    writeStderr(`${process.pid}${line}\n`);
    if (level <= this.accept) this.keep(line);
    return DECLINED;
  }

  hook_deny(): HookResult {
    this.denied = true;
    return DECLINED;
  }

  hook_reset_transaction(): HookResult {
    this.resets++;
    this.flush();
    return DECLINED;
  }

  /**
   * qpsmtpd always has a transaction, so its end of the connection always
   * runs reset_transaction; here a connection that never said HELO has none,
   * and its lines are written now instead.
   */
  hook_post_connection(): HookResult {
    if (this.resets === 0) this.flush();
    return DECLINED;
  }

  private keep(line: string): void {
    if (this.keptBytes + line.length > MAX_KEPT) {
      this.notKept++;
      return;
    }
    this.kept.push(line);
    this.keptBytes += line.length;
  }

  /** Writes the kept lines with the prefix unless something was refused; they are gone either way. */
  private flush(): void {
    if (!this.denied) {
      if (this.kept.length > 0) writeStderr(this.kept.map((line) => `${process.pid} ${this.prefix}${line}\n`).join(''));
      if (this.notKept > 0) warnOnStderr(NAME, `${this.notKept} lines of this transaction were not kept (over ${MAX_KEPT} bytes)`);
    }
    this.kept = [];
    this.keptBytes = 0;
    this.notKept = 0;
  }
}
