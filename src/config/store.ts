// Config files: where each one is found, how it is read, and $include.
//
// The directory is chosen separately for every file name, as qpsmtpd does:
// the first of the search directories that holds the file wins, and the last
// one (qmail's control directory) is used when none does. Contents are read
// once per process (one process serves one connection, so a cache is safe).

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export interface ConfigStoreOptions {
  /** Searched in order; the first that holds the file wins. */
  searchDirs: string[];
  /** Used when no search directory holds the file (qmail's control dir). */
  lastResortDir: string;
  /** Called for problems found while reading (unreadable file, include loop). */
  warn: (message: string) => void;
}

export class ConfigStore {
  private readonly dirByName = new Map<string, string>();
  private readonly linesByName = new Map<string, string[]>();
  /** Each directory's entries, listed once: most config files asked for do not exist. */
  private readonly listings = new Map<string, Set<string>>();

  constructor(private readonly options: ConfigStoreOptions) {}

  /** The directory the file `name` is (or would be) read from. */
  dirFor(name: string): string {
    let dir = this.dirByName.get(name);
    if (dir === undefined) {
      dir = this.options.searchDirs.find((d) => this.exists(d, name)) ?? this.options.lastResortDir;
      this.dirByName.set(name, dir);
    }
    return dir;
  }

  /** Whether dir holds name, from one listing of dir (names with a "/" are checked directly). */
  private exists(dir: string, name: string): boolean {
    if (name.includes('/')) return existsSync(join(dir, name));
    let entries = this.listings.get(dir);
    if (entries === undefined) {
      try {
        entries = new Set(readdirSync(dir));
      } catch {
        entries = new Set();
      }
      this.listings.set(dir, entries);
    }
    return entries.has(name);
  }

  pathFor(name: string): string {
    return isAbsolute(name) ? name : join(this.dirFor(name), name);
  }

  /** The significant lines of config file `name` (empty when it is missing). */
  lines(name: string): string[] {
    let lines = this.linesByName.get(name);
    if (lines === undefined) {
      lines = this.expand(name, [name]) ?? [];
      this.linesByName.set(name, lines);
    }
    return lines;
  }

  /** Reads `name` and its includes; undefined marks an include loop. */
  private expand(name: string, chain: string[]): string[] | undefined {
    const out: string[] = [];
    for (const line of this.read(name)) {
      const include = /^\$include\s+(.+)$/.exec(line);
      if (!include) {
        out.push(line);
        continue;
      }
      const target = include[1]!;
      if (chain.includes(target)) {
        this.options.warn(`Circular $include reference in config ${chain[0]}: ${[...chain, target].join(' -> ')}`);
        return undefined;
      }
      for (const file of this.includeTargets(target)) {
        const included = this.expand(file, [...chain, target]);
        if (included === undefined) return undefined;
        out.push(...included);
      }
    }
    return out;
  }

  /** An include of a directory reads its visible regular files in sorted order. */
  private includeTargets(target: string): string[] {
    const path = this.pathFor(target);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      return [target];
    }
    if (!isDir) return [target];
    return readdirSync(path)
      .filter((f) => !f.startsWith('.') && statSync(join(path, f)).isFile())
      .sort()
      .map((f) => join(path, f));
  }

  /**
   * The lines of file `name`. A search directory is only chosen when it holds
   * the file, so only the last-resort directory can lack it: missing files,
   * the common case, are answered from its listing without a failing open().
   */
  private read(name: string): string[] {
    if (!isAbsolute(name)) {
      const dir = this.dirFor(name);
      if (dir === this.options.lastResortDir && !this.exists(dir, name)) return [];
    }
    return this.readFile(this.pathFor(name));
  }

  private readFile(path: string): string[] {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        this.options.warn(`could not open configfile ${path}: ${(err as Error).message}`);
      }
      return [];
    }
    return parseConfigText(text);
  }
}

/** Comment lines (first non-blank character "#") and blank lines go; the rest is trimmed. */
export function parseConfigText(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) lines.push(line);
  }
  return lines;
}
