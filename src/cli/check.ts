// --check: load config and plugins, show what would run, and say whether it works.

import type { PluginLoader } from '../plugin/loader';
import type { Session } from '../smtp/session';

export function describeSetup(session: Session, loader: PluginLoader): string {
  const out: string[] = ['plugins (load order):'];
  for (const { line, plugin, source } of loader.loaded) {
    const hooks = session.registry
      .hookNames()
      .filter((hook) => session.registry.entries(hook).some((e) => e.plugin === plugin));
    out.push(`  ${line.line}  [${line.name}, ${source}]: ${hooks.length > 0 ? hooks.join(', ') : '(no hooks)'}`);
  }
  if (loader.loaded.length === 0) out.push('  (none: RCPT will answer 450 and no message can be queued)');
  out.push('hooks (run order):');
  for (const hook of session.registry.hookNames()) {
    out.push(`  ${hook}: ${session.hooks(hook).join(', ')}`);
  }
  if (!session.registry.has('rcpt')) out.push('warning: no plugin hooks rcpt, so every recipient gets 450');
  if (!session.registry.has('queue')) out.push('warning: no plugin hooks queue, so every message gets 451');
  out.push('config OK');
  return `${out.join('\n')}\n`;
}
