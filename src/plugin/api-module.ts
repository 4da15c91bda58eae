// `require('qpsmtpd')` (and `import ... from 'qpsmtpd'` in compiled plugins)
// from any plugin gives the running server's own API module, whether or not a
// package of that name is installed: a plugin's Plugin base class and
// constants must be the ones the loader and the hook runner use.

import Module from 'node:module';

interface ResolverInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, Module>;
}

const provided = new Map<string, string>();

/** Makes require(name) return `exports` in this process (idempotent per name). */
export function provideModule(name: string, exports: unknown): void {
  if (provided.has(name)) return;
  const statics = Module as unknown as ResolverInternals;
  if (provided.size === 0) {
    const resolveFilename = statics._resolveFilename;
    statics._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
      return provided.get(request) ?? resolveFilename.call(this, request, ...rest);
    };
  }
  // A cache key that is no file name, so no file on disk can shadow it.
  const id = `\0${name}`;
  const mod = new Module(id);
  mod.exports = exports;
  mod.loaded = true;
  statics._cache[id] = mod;
  provided.set(name, id);
}
