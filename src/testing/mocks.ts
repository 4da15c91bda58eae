// The test's stand-ins, registered before any plugin: config values served
// from memory (a config hook that runs first) and fixed or scripted results
// for hooks (which run before the plugins' own hooks of the same name).

import { DECLINED, OK } from '../constants';
import type { HookName } from '../hooks/names';
import type { PluginHooks } from '../api/hooks';
import type { HookResult } from '../plugin/api';
import { Plugin } from '../plugin/plugin';
import type { Session } from '../smtp/session';

/**
 * A config value served from memory: one value, a list of lines (a string
 * with "\n" counts as lines too), or null/undefined for "no such file" (the
 * file is not read either).
 */
export type ConfigValue = string | number | readonly (string | number)[] | null | undefined;

/** Config values by file name: `{ me: 'mx.test', rcpthosts: ['example.com'] }`. */
export type ConfigValues = Record<string, ConfigValue>;

type Underscored<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Underscored<B>}` : S;
type HookMethod<H extends HookName> = NonNullable<PluginHooks[`hook_${Underscored<H>}`]>;

/** A function standing in for hook H: the hook's arguments (transaction first), `this` a Plugin. */
export type MockFunction<H extends HookName> = (this: Plugin, ...args: Parameters<HookMethod<H>>) => ReturnType<HookMethod<H>>;

/** A mocked hook: a fixed result (`OK`, `[DENY, 'text']`) or a function returning one. */
export type HookMock<H extends HookName> = HookResult | MockFunction<H>;

/** Mocked hooks by hook name: `{ rcpt: OK, mail: [DENY, 'no'], helo: function (transaction, host) { ... } }`. */
export type HookMocks = { [H in HookName]?: HookMock<H> };

/** A Plugin bound to the session by hand (not from a plugin line), named `name` in logs and results. */
export function bindPlugin(session: Session, name: string): Plugin {
  const plugin = new Plugin();
  plugin._bind({
    qp: session,
    name,
    args: [],
    registerHook: (p, hook, method, unshift) => session.registry.register(hook, { plugin: p, name, method }, unshift),
    parentMethods: () => ({}),
  });
  return plugin;
}

/**
 * Serves `values` (which the caller may change later) through a config hook
 * put in front of every other: a name in `values` never reaches the files.
 */
export function registerConfigValues(plugin: Plugin, values: ConfigValues): void {
  plugin.register_hook(
    'config',
    (_transaction, name: string) => {
      if (!Object.prototype.hasOwnProperty.call(values, name)) return DECLINED;
      const value = values[name];
      if (value === null || value === undefined) return [OK];
      const lines = Array.isArray(value) ? value : [value];
      return [OK, ...lines.map(String)];
    },
    true,
  );
}

/** Registers each mocked hook (in the order given); the plugins loaded later run after them. */
export function registerHookMocks(plugin: Plugin, mocks: HookMocks): void {
  for (const [hook, mock] of Object.entries(mocks) as Array<[HookName, HookMock<HookName> | undefined]>) {
    if (mock === undefined) continue;
    plugin.register_hook(hook, typeof mock === 'function' ? (mock as (...args: unknown[]) => unknown) : () => mock);
  }
}
