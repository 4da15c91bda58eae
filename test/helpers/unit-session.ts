// A Session for unit tests of the hook runner and the plugin loader: config
// files in a temporary directory, every log record captured, hooks
// registered by hand under any plugin name, plugins loaded from config lines.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Input } from '../../src/io/input';
import type { Output } from '../../src/io/output';
import type { LogRecord } from '../../src/log/logger';
import type { PluginLoader } from '../../src/plugin/loader';
import type { HookMethod, Plugin } from '../../src/plugin/plugin';
import type { Session } from '../../src/smtp/session';
import { createSession, loadPlugins } from '../../src/startup';
import { bindPlugin } from '../../src/testing/mocks';

export interface UnitSessionOptions {
  /** Config files: name -> content (a string, or lines). */
  config?: Record<string, string | string[]>;
  /** --plugin-dir directories. */
  pluginDirs?: string[];
  /** Stands in for the install directory (node_modules lookups); default: the work dir. */
  installDir?: string;
}

export interface UnitSession {
  session: Session;
  /** The work directory (config/ and spool/ inside). */
  dir: string;
  configDir: string;
  /** Every log record, in order. */
  logs: LogRecord[];
  /** The messages of the records at `level` (or all). */
  messages(level?: number): string[];
  /** Registers `fn` for `hook` under the plugin name `name` (default "mock"). */
  hook(hook: string, fn: HookMethod, options?: { name?: string; unshift?: boolean }): Plugin;
  /** Loads config/logging and config/plugins as the server does. */
  load(): Promise<PluginLoader>;
  /** What respond() wrote. */
  written: string[];
}

export function unitSession(options: UnitSessionOptions = {}, teardown?: (fn: () => void) => void): UnitSession {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-unit-'));
  teardown?.(() => rmSync(dir, { recursive: true, force: true }));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  mkdirSync(join(dir, 'spool'), { mode: 0o700 });
  const files: Record<string, string | string[]> = { me: 'mx.example.test', plugins: '', ...options.config };
  for (const [name, content] of Object.entries(files)) {
    const text = Array.isArray(content) ? content.join('\n') : content;
    mkdirSync(dirname(join(configDir, name)), { recursive: true });
    writeFileSync(join(configDir, name), text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  const written: string[] = [];
  const output: Output = {
    connected: true,
    write: async (text: string) => {
      written.push(text);
    },
  };
  const session = createSession({
    configDir,
    installDir: dir,
    pluginDirs: options.pluginDirs ?? [],
    spoolDir: join(dir, 'spool'),
    logLevel: -1,
    env: { QMAIL: join(dir, 'no-qmail') },
    input: new Input({ next: async () => null }),
    output,
  });
  const logs: LogRecord[] = [];
  session.logger.observe((record) => logs.push(record));
  const plugins = new Map<string, Plugin>();
  const pluginFor = (name: string): Plugin => {
    let plugin = plugins.get(name);
    if (!plugin) {
      plugin = bindPlugin(session, name);
      plugins.set(name, plugin);
    }
    return plugin;
  };
  return {
    session,
    dir,
    configDir,
    logs,
    written,
    messages: (level?: number) => logs.filter((r) => level === undefined || r.level === level).map((r) => r.message),
    hook(hook, fn, opts = {}) {
      const plugin = pluginFor(opts.name ?? 'mock');
      plugin.register_hook(hook, fn, opts.unshift ?? false);
      return plugin;
    },
    load: () => loadPlugins(session, options.installDir ?? dir, configDir),
  };
}
