// plugins.pod, "Logging": logging/debug_plugin - just show the LOGDEBUG
// messages of one plugin.
//
//   config/logging:  logging/debug_plugin my_plugin LOGLEVEL
//                    logging/warn LOGDEBUG
//
// LOGLEVEL (a name such as LOGINFO, or a number; default LOGWARN) is the
// level for every other plugin's lines and the core's. Load it before the
// logging plugin that writes the lines (here logging/warn at LOGDEBUG): a
// logging hook returning OK takes the line, so the next one never sees it.
// `my_plugin` is the name plugin_name() gives, not the config line's word:
// "my_rcpt_check:0" logs as my_rcpt_check_3a0, "queue/maildir" as
// queue::maildir.

import { DECLINED, LOGWARN, OK, Plugin, log_level, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class DebugPlugin extends Plugin {
  private plugin = '';
  private level = LOGWARN;

  register(_qp: Qp, plugin?: string, loglevel = 'LOGWARN'): void {
    if (!plugin) throw new Error('no plugin name given');
    this.plugin = plugin;
    const level = /^\d$/.test(loglevel) ? Number(loglevel) : log_level(loglevel);
    this.level = typeof level === 'number' ? level : LOGWARN;
  }

  hook_logging(_transaction: Transaction | undefined, level: number, _hook: string | undefined, plugin: string | undefined): HookResult {
    // Drop these lines: another plugin's (or the core's), above the level.
    if (plugin !== this.plugin && level > this.level) return OK;
    return DECLINED;
  }
}
