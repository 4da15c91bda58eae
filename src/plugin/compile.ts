// Plugins written in TypeScript or as ES modules run as CommonJS compiled by
// esbuild. Compiling costs tens of milliseconds and every connection is a new
// process, so the output is kept in a cache directory under the name of the
// source's content hash (checked against the source itself): a connection
// after the first one reads a small file and never loads esbuild.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../version';

export type SourceKind = 'ts' | 'esm';

/** A plugin that does not compile: the message names the file, line and column. */
export class PluginCompileError extends Error {
  override name = 'PluginCompileError';
}

/** esbuild cannot turn this module into CommonJS (top-level await): import() it as it is. */
export class NeedsNativeImport extends Error {
  override name = 'NeedsNativeImport';
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

interface Esbuild {
  version: string;
  transformSync(source: string, options: Record<string, unknown>): { code: string };
}

// Bumped when the options below change, so old cache entries are not used.
const OUTPUT_FORMAT = 'cjs-node20-v2';

export class PluginCompiler {
  private esbuild: Esbuild | undefined;
  /** Set when the cache could not be written; compiling still works, it is only slower. */
  cacheProblem: string | undefined;

  constructor(
    /** The cache directory, or a function giving it (the spool directory is made on first use). */
    private readonly cacheDir: () => string,
    private readonly compilerSearchPaths: string[],
  ) {}

  /** CommonJS for a plugin's source: from the cache, else compiled and cached. */
  compile(path: string, source: string, kind: SourceKind): string {
    const input = `${OUTPUT_FORMAT}\0${VERSION}\0${kind}\0${source}`;
    const key = contentKey(input);
    let dir: string | undefined;
    try {
      dir = this.cacheDir();
    } catch (err) {
      this.cacheProblem = `no plugin cache: ${(err as Error).message}`;
    }
    if (dir !== undefined) {
      const cached = readEntry(join(dir, `${key}.js`), input);
      if (cached !== undefined) return cached;
    }
    const code = this.transform(path, source, kind);
    if (dir !== undefined) this.store(dir, key, input, code);
    return code;
  }

  private transform(path: string, source: string, kind: SourceKind): string {
    const esbuild = this.load(path);
    try {
      return esbuild.transformSync(source, {
        loader: kind === 'ts' ? 'ts' : 'js',
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcefile: path,
        logLevel: 'silent',
        // ES-module plugins may use import.meta; CommonJS has the same facts under other names
        // (the URL is worked out only in a file that asks for it: each connection pays for it).
        define: {
          'import.meta.url': '__qpsmtpd_import_meta_url',
          'import.meta.filename': '__filename',
          'import.meta.dirname': '__dirname',
        },
        banner: source.includes('import.meta.url')
          ? 'const __qpsmtpd_import_meta_url = require("node:url").pathToFileURL(__filename).href;'
          : '',
      }).code;
    } catch (err) {
      const first = (err as { errors?: EsbuildMessage[] }).errors?.[0];
      if (!first) throw err;
      if (kind === 'esm' && /top-level await/i.test(first.text)) throw new NeedsNativeImport(first.text);
      const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : path;
      throw new PluginCompileError(`${where}: ${first.text}`);
    }
  }

  private load(path: string): Esbuild {
    if (this.esbuild) return this.esbuild;
    let resolved: string;
    try {
      resolved = require.resolve('esbuild', { paths: this.compilerSearchPaths });
    } catch {
      throw new PluginCompileError(
        `${path}: compiling it needs esbuild, which was not found from ${this.compilerSearchPaths.join(', ')} (npm install esbuild there)`,
      );
    }
    // A runtime require: esbuild is not part of the bundle.
    this.esbuild = module.require(resolved) as Esbuild;
    return this.esbuild;
  }

  /** Writes a cache entry whole or not at all: a racing connection sees the old state or the new file. */
  private store(dir: string, key: string, input: string, code: string): void {
    const temp = join(dir, `.${key}.${process.pid}.tmp`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(temp, `${input.length}\n${input}${code}`, { mode: 0o600 });
      renameSync(temp, join(dir, `${key}.js`));
    } catch (err) {
      this.cacheProblem = `cannot write the plugin cache ${dir}: ${(err as Error).message}`;
    }
  }
}

/*
 * A cache entry is "<length of the input>\n<the input><the compiled code>":
 * the key only picks the file, and the input stored in it must equal the
 * source exactly, so a key that two sources share can never serve the wrong
 * code. That is why the key can be a fast hash written here: node:crypto
 * costs ~4 ms to load (it pulls in the stream modules), more than the whole
 * budget of a cached plugin.
 */
function readEntry(file: string, input: string): string | undefined {
  let entry: string;
  try {
    entry = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = entry.indexOf('\n');
  const start = newline + 1;
  if (newline < 0 || Number(entry.slice(0, newline)) !== input.length) return undefined;
  if (entry.slice(start, start + input.length) !== input) return undefined;
  return entry.slice(start + input.length);
}

/** 64 bits of FNV-1a over the UTF-16 code units (two 32-bit lanes with different offsets), and the length: 24 hex digits. */
export function contentKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(a)}${hex(b)}${hex(text.length)}`;
}
