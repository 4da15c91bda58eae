// The hook table: for every hook, the plugins registered for it in run order.

import type { HookMethod, Plugin } from '../plugin/plugin';
import { isHookName } from './names';

export interface HookEntry {
  plugin: Plugin;
  /** The plugin's name, as in logs and notes. */
  name: string;
  method: HookMethod;
}

export class HookRegistry {
  private readonly table = new Map<string, HookEntry[]>();

  register(hook: string, entry: HookEntry, unshift = false): void {
    if (!isHookName(hook)) throw new Error(`${entry.name}: Invalid hook: ${hook}`);
    let list = this.table.get(hook);
    if (!list) {
      list = [];
      this.table.set(hook, list);
    }
    if (unshift) list.unshift(entry);
    else list.push(entry);
  }

  entries(hook: string): readonly HookEntry[] {
    return this.table.get(hook) ?? [];
  }

  has(hook: string): boolean {
    return (this.table.get(hook)?.length ?? 0) > 0;
  }

  /** Every hook that has at least one plugin, in first-registration order. */
  hookNames(): string[] {
    return [...this.table.keys()].filter((hook) => this.has(hook));
  }
}
