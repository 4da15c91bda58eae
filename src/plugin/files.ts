// Plugin files in plugin directories: which file a plugin name means, and how
// each kind of file becomes a module. CommonJS runs as it is; TypeScript and
// ES modules are compiled to CommonJS (src/plugin/compile.ts) so that they
// load as fast as CommonJS and can import 'qpsmtpd' (src/plugin/api-module.ts).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { NeedsNativeImport, type PluginCompiler, type SourceKind } from './compile';

/**
 * The names tried for plugin `name` in each plugin directory, in order: the
 * name as written (qpsmtpd's plugins have no extension), then TypeScript
 * (the source wins over JavaScript compiled from it next to it), then JavaScript.
 */
export const PLUGIN_FILE_EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.cjs', '.mjs'] as const;

const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts'];

/** The first file for `name` in the directories, in directory order (each directory listed once). */
export function findPluginFile(dirs: readonly string[], name: string, listings: DirectoryListings): string | undefined {
  for (const dir of dirs) {
    // resolve(): a relative --plugin-dir gives relative paths, which require() would take for package names.
    const path = resolve(join(dir, name));
    const entries = listings.files(dirname(path));
    if (!entries) continue;
    const base = basename(path);
    const ext = PLUGIN_FILE_EXTENSIONS.find((e) => entries.has(base + e));
    if (ext !== undefined) return path + ext;
  }
  return undefined;
}

/**
 * The files of directories, each read once: every line of config/plugins is
 * looked for in every plugin directory under seven names, and one listing
 * per directory is cheaper than a stat per name on every connection.
 */
export class DirectoryListings {
  private readonly listed = new Map<string, Set<string> | undefined>();

  /** The names of the files (and links to files) in `dir`; undefined when it cannot be read. */
  files(dir: string): Set<string> | undefined {
    if (this.listed.has(dir)) return this.listed.get(dir);
    let names: Set<string> | undefined;
    try {
      names = new Set();
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isFile() || (entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isFile())) {
          names.add(entry.name);
        }
      }
    } catch {
      names = undefined;
    }
    this.listed.set(dir, names);
    return names;
  }
}

/**
 * import() for the ES modules esbuild cannot make CommonJS (top-level await).
 * It cannot be written as import() here: TypeScript's CommonJS output turns it
 * into require(), and the dist bundle runs in vm.Script, which has no
 * dynamic-import callback. The dist loader hands in its own import as
 * module.qpsmtpdImport; elsewhere a Function keeps the import() as written.
 */
const importModule = ((module as unknown as { qpsmtpdImport?: (url: string) => Promise<unknown> }).qpsmtpdImport ??
  new Function('url', 'return import(url)')) as (url: string) => Promise<unknown>;

interface ModuleInternals {
  _cache: Record<string, Module>;
  _nodeModulePaths(dir: string): string[];
}
type CompilableModule = Module & { _compile(code: string, filename: string): void };
const ModuleStatics = Module as unknown as ModuleInternals;

export class PluginFiles {
  constructor(private readonly compiler: PluginCompiler) {}

  /** A plugin file's exports. */
  async load(path: string): Promise<unknown> {
    try {
      return this.loadSync(path);
    } catch (err) {
      if (err instanceof NeedsNativeImport) return importModule(pathToFileURL(path).href);
      throw err;
    }
  }

  /** The same without import(): for isa_plugin, which runs inside a synchronous init. */
  loadSync(path: string): unknown {
    if (path.endsWith('.cjs')) return module.require(path);
    if (path.endsWith('.js')) return this.loadJavaScript(path);
    if (path.endsWith('.mjs')) return this.compiled(path, 'esm');
    if (TYPESCRIPT_EXTENSIONS.some((ext) => path.endsWith(ext))) return this.compiled(path, 'ts');
    return this.loadExtensionless(path);
  }

  /** A .js file is CommonJS unless Node says it is an ES module. */
  private loadJavaScript(path: string): unknown {
    try {
      return module.require(path);
    } catch (err) {
      if (!isEsModuleRefusal(err)) throw err;
      return this.compiled(path, 'esm');
    }
  }

  /** As in qpsmtpd, a file without extension: CommonJS when it parses as such, else TypeScript or an ES module. */
  private loadExtensionless(path: string): unknown {
    const source = readFileSync(path, 'utf8');
    if (parsesAsCommonJs(source, path)) return this.fromCode(path, source);
    return this.fromCode(path, this.compiler.compile(path, source, 'ts'));
  }

  private compiled(path: string, kind: SourceKind): unknown {
    return this.fromCode(path, this.compiler.compile(path, readFileSync(path, 'utf8'), kind));
  }

  /** A CommonJS module from code, under the plugin's own path so its relative requires resolve from its directory. */
  private fromCode(path: string, code: string): unknown {
    const cached = ModuleStatics._cache[path];
    if (cached) return cached.exports;
    const mod = new Module(path, module) as CompilableModule;
    mod.filename = path;
    mod.paths = ModuleStatics._nodeModulePaths(dirname(path));
    mod.require = ((id: string) => this.requireFrom(mod, id)) as NodeJS.Require;
    ModuleStatics._cache[path] = mod;
    try {
      mod._compile(code, path);
    } catch (err) {
      delete ModuleStatics._cache[path];
      throw err;
    }
    mod.loaded = true;
    return mod.exports;
  }

  /**
   * The require() of a compiled plugin: its relative imports of TypeScript
   * and ES-module files (import './lib/helper') go through the same compiler
   * and cache; everything else is Node's require. Local to the plugin's
   * modules: the process's require.extensions are left alone (a test runner
   * may have its own TypeScript loader there).
   */
  private requireFrom(mod: Module, id: string): unknown {
    if (id.startsWith('./') || id.startsWith('../') || isAbsolute(id)) {
      const target = compiledTarget(resolve(dirname(mod.filename), id));
      if (target) return this.loadSync(target);
    }
    return Module.prototype.require.call(mod, id);
  }
}

const COMPILED_EXTENSIONS = [...TYPESCRIPT_EXTENSIONS, '.mjs'];

/** The TypeScript or ES-module file an import names: as written, with a TypeScript extension added, or its index.ts. */
function compiledTarget(base: string): string | undefined {
  const candidates = COMPILED_EXTENSIONS.some((ext) => base.endsWith(ext))
    ? [base]
    : [...TYPESCRIPT_EXTENSIONS.map((ext) => base + ext), ...TYPESCRIPT_EXTENSIONS.map((ext) => join(base, `index${ext}`))];
  return candidates.find((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
}

/** Node refused to require() the file because it is an ES module (or imports 'qpsmtpd' as one). */
function isEsModuleRefusal(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_REQUIRE_ESM' || e?.code === 'ERR_REQUIRE_ASYNC_MODULE') return true;
  // Node 20.19 require()s ES modules itself, but their imports resolve without our 'qpsmtpd'.
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && /'qpsmtpd'/.test(e.message)) return true;
  return e instanceof SyntaxError && /\b(import|export)\b/.test(e.message);
}

function parsesAsCommonJs(source: string, path: string): boolean {
  try {
    // Only parsed, never run: the same wrapper Node puts around a CommonJS module.
    new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path });
    return true;
  } catch {
    return false;
  }
}
