// Running a hook: every registered plugin in order until one decides
// (returns something other than DECLINED), with a time limit per plugin, the
// deny/ok observer hooks, and the result recorded in the transaction notes.
//
// Unlike qpsmtpd, a plugin that throws or runs over its time limit fails
// closed: the hook's result is DENYSOFT (decisions 5 and 6).

import { DECLINED, DENYSOFT, LOGCRIT, LOGDEBUG, LOGERROR, isDeny, isReturnCode, return_code } from '../constants';
import type { Transaction } from '../message/transaction';
import type { HookOutcome } from '../plugin/api';
import { RESULT_IGNORED_HOOKS } from './names';
import type { HookEntry, HookRegistry } from './registry';

export const INTERNAL_ERROR_TEXT = 'Internal error, please try again later';
export const PLUGIN_TIMEOUT_TEXT = 'plugin timeout';

export interface RunnerHost {
  /** The current transaction, created when there is none. */
  transaction(): Transaction;
  /** The current transaction if there is one (logging must not create it). */
  currentTransaction(): Transaction | undefined;
  log(level: number, hook: string | undefined, plugin: string | undefined, ...message: unknown[]): void;
  /** Milliseconds a plugin may take per hook call (0: no limit). */
  pluginTimeoutMs(): number;
}

class PluginTimeout extends Error {}

/** One plugin's answer to one hook call, for whoever watches (the test kit): code undefined when it returned nothing. */
export interface HookAnswer {
  hook: string;
  plugin: string;
  code: number | undefined;
  msgs: unknown[];
}

export class HookRunner {
  /** Told every plugin's answer, in order (set by the test kit; nobody else needs it). */
  onAnswer: ((answer: HookAnswer) => void) | undefined;

  constructor(
    private readonly registry: HookRegistry,
    private readonly host: RunnerHost,
  ) {}

  has(hook: string): boolean {
    return this.registry.has(hook);
  }

  /** Runs `hook`; code 0 with no messages means no plugin is registered for it. */
  async run(hook: string, args: unknown[] = []): Promise<HookOutcome> {
    const entries = this.registry.entries(hook);
    if (entries.length === 0) return { code: 0, msgs: [] };
    let outcome: HookOutcome | undefined;
    for (const entry of entries) {
      // As qpsmtpd logs it: the hook, and the plugin's name as the message (no plugin: the core speaks).
      this.host.log(LOGDEBUG, hook, undefined, entry.name);
      const transaction = this.host.transaction();
      let raw: unknown;
      try {
        raw = await this.call(entry, hook, transaction, args);
      } catch (err) {
        const failure = this.failure(entry, hook, err);
        this.onAnswer?.({ hook, plugin: entry.name, code: failure.code, msgs: failure.msgs });
        if (RESULT_IGNORED_HOOKS.has(hook)) continue;
        outcome = failure;
        this.recordNote(transaction, entry, hook, failure.code);
        await this.observe(hook, entry, failure);
        break;
      }
      const result = normalize(raw);
      this.onAnswer?.({ hook, plugin: entry.name, code: result?.code, msgs: result?.msgs ?? [] });
      if (result === undefined) {
        this.host.log(LOGERROR, hook, entry.name, `Plugin ${entry.name}, hook ${hook} returned undef!`);
        continue;
      }
      if (!isReturnCode(result.code)) {
        // An unknown code stays the result unless a later plugin decides (as in qpsmtpd).
        this.host.log(LOGERROR, hook, entry.name, `Plugin ${entry.name}, hook ${hook} returned ${String(result.code)}`);
        outcome = result;
        continue;
      }
      outcome = result;
      this.recordNote(transaction, entry, hook, result.code);
      await this.observe(hook, entry, result);
      if (result.code !== DECLINED) break;
    }
    return outcome ?? { code: DECLINED, msgs: [] };
  }

  /**
   * Runs a hook whose plugins must answer synchronously (config,
   * user_config, logging): the first code other than DECLINED wins; no
   * notes, no deny/ok. A plugin returning a promise here is a mistake and
   * counts as DECLINED.
   */
  runSync(hook: string, args: unknown[], transaction: Transaction | undefined): HookOutcome {
    const entries = this.registry.entries(hook);
    if (entries.length === 0) return { code: 0, msgs: [] };
    for (const entry of entries) {
      let raw: unknown;
      const previous = entry.plugin._enterHook(hook);
      try {
        raw = entry.method.call(entry.plugin, transaction as Transaction, ...args);
      } catch (err) {
        if (hook !== 'logging') this.host.log(LOGCRIT, hook, entry.name, `FATAL PLUGIN ERROR [${entry.name}]: ${describe(err)}`);
        continue;
      } finally {
        entry.plugin._enterHook(previous);
      }
      if (isThenable(raw)) {
        raw.then(undefined, () => undefined);
        if (hook !== 'logging') this.host.log(LOGERROR, hook, entry.name, `hook ${hook} must answer synchronously; result ignored`);
        continue;
      }
      const result = normalize(raw) ?? { code: DECLINED, msgs: [] };
      if (result.code !== DECLINED) return result;
    }
    return { code: DECLINED, msgs: [] };
  }

  private async call(entry: HookEntry, hook: string, transaction: Transaction, args: unknown[]): Promise<unknown> {
    const previous = entry.plugin._enterHook(hook);
    try {
      const raw = entry.method.call(entry.plugin, transaction, ...args);
      if (!isThenable(raw)) return raw;
      const limit = this.host.pluginTimeoutMs();
      if (limit <= 0) return await raw;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PluginTimeout(PLUGIN_TIMEOUT_TEXT)), limit);
      });
      try {
        return await Promise.race([raw, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      entry.plugin._enterHook(previous);
    }
  }

  private failure(entry: HookEntry, hook: string, err: unknown): HookOutcome {
    const timedOut = err instanceof PluginTimeout;
    this.host.log(
      LOGCRIT,
      hook,
      entry.name,
      timedOut
        ? `FATAL PLUGIN ERROR [${entry.name}]: hook ${hook} ran over its time limit`
        : `FATAL PLUGIN ERROR [${entry.name}]: hook ${hook}: ${describe(err)}`,
    );
    return { code: DENYSOFT, msgs: [timedOut ? PLUGIN_TIMEOUT_TEXT : INTERNAL_ERROR_TEXT], failed: true };
  }

  /** qpsmtpd records each result in transaction.notes(plugin).hook_<hook>.return, when that note is an object. */
  private recordNote(transaction: Transaction, entry: HookEntry, hook: string, code: number): void {
    const note = transaction.notes(entry.name);
    if (note === null || typeof note !== 'object') return;
    const key = `hook_${hook}`;
    if (note[key] === null || typeof note[key] !== 'object') note[key] = {};
    note[key].return = code;
  }

  /** The deny hook after a DENY* result, the ok hook after anything else. */
  private async observe(hook: string, entry: HookEntry, result: HookOutcome): Promise<void> {
    const text = result.msgs.length > 0 ? String(result.msgs[0]) : '';
    this.host.log(LOGDEBUG, hook, entry.name, `Plugin ${entry.name}, hook ${hook} returned ${return_code(result.code)}, ${text}`);
    const observer = isDeny(result.code) ? 'deny' : 'ok';
    // The observers' own results are not observed (qpsmtpd runs deny and ok
    // without replies): otherwise an ok plugin returning DENY and a deny
    // plugin returning DECLINED would call each other for ever.
    if (hook === 'deny' || hook === 'ok' || !this.registry.has(observer)) return;
    await this.run(observer, [entry.name, result.code, text]);
  }
}

/** A plugin's return value as code and messages; messages split into lines at "\n". */
export function normalize(raw: unknown): HookOutcome | undefined {
  if (raw === undefined || raw === null) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list[0] === undefined || list[0] === null) return undefined;
  const [code, ...rest] = list;
  if (typeof rest[0] === 'function') return { code: Number(code), msgs: rest };
  const msgs: unknown[] = [];
  for (const m of rest) {
    if (m === undefined || m === null) continue;
    for (const piece of String(m).split(/\r?\n/)) if (piece !== '') msgs.push(piece);
  }
  return { code: Number(code), msgs };
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}
