// logging/connection_id [level]: logging/warn's job (lines up to `level`,
// default LOGWARN, to stderr) with the connection's id in front instead of
// the pid: "<id> <plugin> plugin: <message>". The id is the session id
// logging/file uses for %i ("<unix time>-<pid>-1").
//
// docs: docs/plugins/logging/connection_id.md

import { DECLINED, LOGINFO, LOGWARN } from '../../src/constants';
import { oneLine, writeStderr } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { parseLevel, sessionId, sourceLabel } from './shared';

export default class LoggingConnectionId extends Plugin {
  private level = LOGWARN;

  register(_qp: Qp, level?: string): void {
    if (level !== undefined) this.level = parseLevel('logging/connection_id', level);
    this.log(LOGINFO, 'Initializing logging::connection_id plugin');
  }

  hook_logging(
    _transaction: Transaction | undefined,
    level: number,
    hook: string | undefined,
    plugin: string | undefined,
    message: string,
  ): HookResult {
    if (plugin === this.plugin_name() || level > this.level) return DECLINED;
    writeStderr(`${sessionId()}${sourceLabel(hook, plugin)} ${oneLine(message)}\n`);
    return DECLINED;
  }
}
