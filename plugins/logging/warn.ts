// logging/warn [level]: log lines to stderr, as qpsmtpd's plugin writes them:
// "<pid> (<hook>) <plugin>: <message>", for levels up to `level` (default
// LOGWARN; a number or a name such as LOGINFO). Returning DECLINED for every
// line also turns the core's own stderr output off.
//
// docs: docs/plugins/logging/warn.md

import { DECLINED, LOGINFO, LOGWARN } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { oneLine, writeStderr } from '../../src/log/logger';
import { Plugin } from '../../src/plugin/plugin';
import { parseLevel } from './shared';

export default class LoggingWarn extends Plugin {
  private level = LOGWARN;

  register(_qp: Qp, level?: string): void {
    if (level !== undefined) this.level = parseLevel('logging/warn', level);
    this.log(LOGINFO, `Initializing ${this.plugin_name()} plugin`);
  }

  hook_logging(
    _transaction: Transaction | undefined,
    level: number,
    hook: string | undefined,
    plugin: string | undefined,
    message: string,
  ): HookResult {
    // Our own lines are not logged (no recursion, and qpsmtpd skips them too).
    if (plugin === this.plugin_name() || level > this.level) return DECLINED;
    const prefix = plugin && hook ? ` (${hook}) ${plugin}:` : plugin ? ` ${plugin}:` : hook ? ` (${hook}) running plugin:` : '';
    writeStderr(`${process.pid}${prefix} ${oneLine(message)}\n`);
    return DECLINED;
  }
}
