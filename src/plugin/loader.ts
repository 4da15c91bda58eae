// Loading plugins: find each plugin of config/logging and config/plugins,
// make an instance, and register its hooks (init, hook_* methods, register),
// in file order. Any failure is a start-up error: a server with a broken
// plugin must not take mail.

import * as api from '../api';
import { LOGWARN } from '../constants';
import { HOOK_NAMES, hookMethodName } from '../hooks/names';
import type { Session } from '../smtp/session';
import { provideModule } from './api-module';
import { BUNDLED_PLUGINS } from './bundled';
import { PluginCompiler } from './compile';
import { DirectoryListings, findPluginFile, PluginFiles } from './files';
import { type PluginLine, parsePluginLine } from './names';
import { type HookMethod, Plugin } from './plugin';

export interface LoadedPlugin {
  line: PluginLine;
  plugin: Plugin;
  /** Where the code came from: a file path, "bundled", or a package name. */
  source: string;
}

export class PluginLoadError extends Error {}

type PluginModule = unknown;

export interface LoaderOptions {
  session: Session;
  /** Searched in order before the bundled plugins. */
  pluginDirs: string[];
  /** Directories node_modules lookups start from (module plugins, and esbuild for compiling). */
  moduleRoots: string[];
  /** Where compiled TypeScript and ES-module plugins are kept (default: <spool dir>plugin-cache). */
  cacheDir?: () => string;
}

export class PluginLoader {
  readonly loaded: LoadedPlugin[] = [];
  private readonly compiler: PluginCompiler;
  private readonly files: PluginFiles;
  private readonly listings = new DirectoryListings();

  constructor(private readonly options: LoaderOptions) {
    provideModule('qpsmtpd', api);
    const cacheDir = options.cacheDir ?? (() => `${options.session.spool_dir()}plugin-cache`);
    // esbuild is the package's own dependency: also looked for from where this code is (dist/, dist/lib/ or src/).
    this.compiler = new PluginCompiler(cacheDir, [...options.moduleRoots, __dirname]);
    this.files = new PluginFiles(this.compiler);
  }

  /** Loads the plugins of the given config lines, in order. */
  async loadLines(lines: string[]): Promise<void> {
    for (const text of lines) {
      let line: PluginLine;
      try {
        line = parsePluginLine(text);
      } catch (err) {
        throw new PluginLoadError((err as Error).message);
      }
      await this.loadOne(line);
    }
    if (this.compiler.cacheProblem) {
      // Said once per connection: every connection compiles again until the cache can be written.
      this.options.session.log(LOGWARN, `${this.compiler.cacheProblem}; plugins are compiled again on every connection`);
      this.compiler.cacheProblem = undefined;
    }
  }

  private async loadOne(line: PluginLine): Promise<void> {
    const { module, source } = await this.resolve(line.file);
    let plugin: Plugin;
    try {
      plugin = instantiate(module);
      plugin._bind({
        qp: this.options.session,
        name: line.name,
        args: line.args,
        registerHook: (p, hook, method, unshift) =>
          this.options.session.registry.register(hook, { plugin: p, name: line.name, method }, unshift),
        parentMethods: (parent) => methodsOf(this.resolveSync(parent)),
      });
      const session = this.options.session;
      const hooks = plugin as unknown as Record<string, unknown>;
      if (typeof hooks.init === 'function') await hooks.init.call(plugin, session, ...line.args);
      for (const hook of HOOK_NAMES) {
        const method = hooks[hookMethodName(hook)];
        if (typeof method === 'function') plugin.register_hook(hook, method as HookMethod);
      }
      if (typeof hooks.register === 'function') await hooks.register.call(plugin, session, ...line.args);
    } catch (err) {
      throw new PluginLoadError(`plugin ${line.word} (${source}) failed to load: ${(err as Error).message}`);
    }
    this.loaded.push({ line, plugin, source });
  }

  /** Finds a plugin's code: plugin directories first, then the bundle, then node_modules. */
  private async resolve(file: string): Promise<{ module: PluginModule; source: string }> {
    const path = findPluginFile(this.options.pluginDirs, file, this.listings);
    if (path) return { module: await this.files.load(path).catch(failedToLoad(file, path)), source: path };
    const bundled = BUNDLED_PLUGINS[file];
    if (bundled) return { module: bundled(), source: 'bundled' };
    const pkg = this.findPackage(file);
    if (pkg) return { module: await this.files.load(pkg).catch(failedToLoad(file, file)), source: file };
    throw new PluginLoadError(
      `Plugin ${file} not found in our plugin dirs (${[...this.options.pluginDirs, 'bundled plugins'].join(', ')}) nor as an installed package`,
    );
  }

  /** The same search without import() (isa_plugin runs inside init). */
  private resolveSync(file: string): PluginModule {
    const path = findPluginFile(this.options.pluginDirs, file, this.listings);
    if (path) return this.files.loadSync(path);
    const bundled = BUNDLED_PLUGINS[file];
    if (bundled) return bundled();
    const pkg = this.findPackage(file);
    if (pkg) return this.files.loadSync(pkg);
    throw new Error(`cannot find plugin '${file}'`);
  }

  private findPackage(name: string): string | undefined {
    if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
    try {
      return require.resolve(name, { paths: this.options.moduleRoots });
    } catch {
      return undefined;
    }
  }
}

/** A plugin file that does not compile, or throws while it loads: the error names the plugin. */
function failedToLoad(file: string, source: string): (err: unknown) => never {
  return (err) => {
    throw new PluginLoadError(`plugin ${file} (${source}) failed to load: ${err instanceof Error ? err.message : String(err)}`);
  };
}

/**
 * A plugin module exports a class extending Plugin (as `default` or as the
 * module itself), or hook_* functions (named exports, or an object as
 * `module.exports`/`default`), which become methods of a Plugin.
 */
function instantiate(module: PluginModule): Plugin {
  const cls = pluginClass(module);
  if (cls) return new cls();
  const functions = bagOf(module);
  if (Object.keys(functions).length === 0) throw new Error('the module exports neither a Plugin class nor hook functions');
  const plugin = new Plugin();
  for (const [name, fn] of Object.entries(functions)) {
    Object.defineProperty(plugin, name, { value: fn, configurable: true, writable: true });
  }
  return plugin;
}

function pluginClass(module: PluginModule): (new () => Plugin) | undefined {
  const isClass = (v: unknown): v is new () => Plugin => typeof v === 'function' && v.prototype instanceof Plugin;
  if (isClass(module)) return module;
  const d = (module as { default?: unknown } | null)?.default;
  return isClass(d) ? d : undefined;
}

/** The functions a module offers: its own exports and those of a default-exported object. */
function bagOf(module: PluginModule): Record<string, HookMethod> {
  const d = (module as { default?: unknown } | null)?.default;
  return { ...functionsOf(d), ...functionsOf(module) };
}

/** The methods of a plugin module (for isa_plugin). */
function methodsOf(module: PluginModule): Record<string, HookMethod> {
  const cls = pluginClass(module);
  if (!cls) return bagOf(module);
  const methods: Record<string, HookMethod> = {};
  for (let proto = cls.prototype; proto && proto !== Plugin.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof desc?.value === 'function' && !(name in methods)) methods[name] = desc.value;
    }
  }
  return methods;
}

function functionsOf(value: unknown): Record<string, HookMethod> {
  const out: Record<string, HookMethod> = {};
  if (!value || (typeof value !== 'object' && typeof value !== 'function')) return out;
  for (const [name, fn] of Object.entries(value as Record<string, unknown>)) {
    if (typeof fn === 'function' && name !== 'default') out[name] = fn as HookMethod;
  }
  return out;
}
