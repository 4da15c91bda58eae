// examples/api/debug_one_plugin.ts
// debug_one_plugin <plugin name> [level]: for config/logging, in front of
// the logging plugin that writes the lines. Every line above <level>
// (default LOGWARN) is dropped unless the named plugin logged it, so one
// plugin can be watched at LOGDEBUG without the noise of all the others.
// The name is the plugin's plugin_name(): queue/maildir logs as queue::maildir.
import { DECLINED, LOGWARN, OK, Plugin, log_level, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class DebugOnePlugin extends Plugin {
  private watched = '';
  private level: number = LOGWARN;

  register(_qp: Qp, plugin?: string, level?: string): void {
    if (!plugin) throw new Error('debug_one_plugin: no plugin name given');
    this.watched = plugin;
    const parsed = level === undefined ? undefined : log_level(level);
    if (typeof parsed === 'number') this.level = parsed;
  }

  hook_logging(_transaction: Transaction | undefined, level: number, _hook: string | undefined, plugin: string | undefined): HookResult {
    // OK: the line is taken care of (dropped); later logging plugins do not see it.
    if (plugin !== this.watched && level > this.level) return OK;
    return DECLINED;
  }
}
