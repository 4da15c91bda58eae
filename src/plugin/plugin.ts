// The base of every plugin. A plugin is a class extending Plugin (or a module
// of hook_* functions, which the loader wraps in one) whose hook_<name>
// methods are registered for the hooks of that name.

import type { Address } from '../address/address';
import type { Connection } from '../connection/connection';
import {
  DECLINED,
  DENY,
  DENY_DISCONNECT,
  DENYSOFT,
  DENYSOFT_DISCONNECT,
  LOGDEBUG,
  LOGINFO,
} from '../constants';
import type { Transaction } from '../message/transaction';
import type { PluginHooks } from '../api/hooks';
import type { HookResult, Qp } from './api';
import { type PasswordCheck, validatePassword } from '../auth/validate-password';

export type HookMethod = (this: Plugin, transaction: Transaction, ...args: any[]) => unknown;

/** What the loader gives a plugin instance so it can register hooks and inherit. */
export interface PluginBinding {
  qp: Qp;
  name: string;
  args: string[];
  registerHook(plugin: Plugin, hook: string, method: HookMethod, unshift: boolean): void;
  /** The methods of another plugin's module, for isa_plugin(). */
  parentMethods(parent: string): Record<string, HookMethod>;
}

// The typed hook_* methods (src/api/hooks.ts): a subclass's hooks are checked against them.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Plugin extends PluginHooks {}

export class Plugin {
  /** Set by the loader; the fields below are private to the core. */
  private _binding: PluginBinding | undefined;
  private _hook: string | undefined;
  private _logAdjust: ((level: number) => number) | undefined;
  /** The methods of plugins inherited with isa_plugin(), bound to this plugin: this.SUPER.hook_rcpt(...). */
  SUPER: Record<string, (...args: any[]) => any> = {};

  /** Called by the loader before init(). */
  _bind(binding: PluginBinding): void {
    this._binding = binding;
    this._logAdjust = parsePluginLogLevel(binding.args);
  }

  /** Called by the hook runner around each call; returns the previous hook name. */
  _enterHook(hook: string | undefined): string | undefined {
    const previous = this._hook;
    this._hook = hook;
    return previous;
  }

  private get binding(): PluginBinding {
    if (!this._binding) throw new Error('plugin used before it was loaded');
    return this._binding;
  }

  /** The session (qpsmtpd's $self->qp). */
  get qp(): Qp {
    return this.binding.qp;
  }

  get connection(): Connection {
    return this.binding.qp.connection;
  }

  get transaction(): Transaction {
    return this.binding.qp.transaction;
  }

  /** The name used in logs and notes, escaped as qpsmtpd does ("queue/maildir" -> "queue::maildir"). */
  plugin_name(): string {
    return this.binding.name;
  }

  /** The hook that is running now. */
  hook_name(): string | undefined {
    return this._hook;
  }

  /** The arguments after the plugin name in config/plugins. */
  plugin_args(): string[] {
    return this.binding.args;
  }

  log(level: number, ...message: unknown[]): void {
    const adjusted = this._logAdjust ? this._logAdjust(level) : level;
    this.binding.qp.varlog(adjusted, this._hook, this.binding.name, ...message);
  }

  /** Registers `method` (a function, or the name of one of this plugin's methods) for `hook`. */
  register_hook(hook: string, method: string | HookMethod, unshift = false): void {
    const fn = typeof method === 'string' ? (this as any)[method] : method;
    if (typeof fn !== 'function') throw new Error(`${this.plugin_name()}: no method ${String(method)} for hook ${hook}`);
    this.binding.registerHook(this, hook, fn, unshift);
  }

  /**
   * Inherits another plugin's methods: hooks this plugin does not define
   * are taken from the parent, and the parent's versions stay callable as
   * this.SUPER.hook_<name>(...). Call it from init().
   */
  isa_plugin(parent: string): void {
    const methods = this.binding.parentMethods(parent);
    for (const [name, fn] of Object.entries(methods)) {
      this.SUPER[name] = (...args: unknown[]) => fn.apply(this, args as [Transaction, ...unknown[]]);
      if (!hasOwnMethod(this, name)) Object.defineProperty(this, name, { value: fn, configurable: true, writable: true });
    }
  }

  auth_user(): string {
    return this.binding.qp.auth_user();
  }

  auth_mechanism(): string {
    return this.binding.qp.auth_mechanism();
  }

  /**
   * Compares the client's password (clear, or the CRAM-MD5 digest) with the
   * one a plugin looked up: [OK, name], [deny, "name - wrong password"],
   * [deny, "name - no such user"] or [DECLINED, name] when it cannot tell.
   */
  validate_password(check: PasswordCheck): HookResult {
    // The file's own name, as qpsmtpd's texts give it: "auth::auth_flat_file" -> "auth_flat_file".
    const plugin = this.plugin_name().split(/::|\//).pop() ?? this.plugin_name();
    return validatePassword({ ...check, ticket: check.ticket ?? this.binding.qp.auth_ticket() }, plugin, (level, message) =>
      this.log(level, message),
    );
  }

  spool_dir(): string {
    return this.binding.qp.spool_dir();
  }

  /** A temporary file name, deleted when the transaction ends. */
  temp_file(): string {
    return this.transaction.temp_file();
  }

  /** A temporary directory (mode 0700), deleted when the transaction ends. */
  temp_dir(mode?: number): string {
    return this.transaction.temp_dir(mode);
  }

  // ---- helpers shared by the policy plugins (qpsmtpd's Qpsmtpd::Plugin) ----

  /** The value after `key` in the plugin arguments ("reject 0" -> get_arg('reject') === '0'). */
  get_arg(key: string): string | undefined {
    const args = this.binding.args;
    const at = args.indexOf(key);
    return at >= 0 ? args[at + 1] : undefined;
  }

  /** The `reject_type` argument as a code: temp/soft, perm/hard, disconnect, temp_disconnect. */
  get_reject_type(fallback: number = DENY, override?: string): number {
    const type = (override ?? this.get_arg('reject_type') ?? '').toLowerCase();
    if (type === 'temp' || type === 'soft') return DENYSOFT;
    if (type === 'perm' || type === 'hard') return DENY;
    if (type === 'disconnect') return DENY_DISCONNECT;
    if (type === 'temp_disconnect') return DENYSOFT_DISCONNECT;
    return fallback;
  }

  /**
   * The result for a failed check, honouring the `reject` argument:
   * "reject 0" only logs, "reject naughty" defers the rejection, anything
   * else rejects with the reject type.
   */
  get_reject(smtpText = 'unspecified error', logText = ''): HookResult {
    const reject = this.get_arg('reject');
    if (reject !== undefined && (reject === '0' || reject === '')) {
      this.log(LOGINFO, `fail, tolerated${logText ? `, ${logText}` : ''}`);
      return DECLINED;
    }
    if (reject === 'naughty') {
      this.log(LOGINFO, `fail, naughty${logText ? `, ${logText}` : ''}`);
      return this.store_deferred_reject(`(${this.plugin_name()}) ${smtpText}`);
    }
    this.log(LOGINFO, `fail${logText ? `, ${logText}` : ''}`);
    return [this.get_reject_type(), smtpText];
  }

  /**
   * Stores a rejection text for the naughty plugin to carry out later, as
   * given (get_reject with "reject naughty" prefixes it with "(plugin) ").
   */
  store_deferred_reject(text: string): HookResult {
    const conn = this.connection;
    const existing = conn.notes('naughty');
    conn.notes('naughty', existing ? `${existing}\r\n${text}` : text);
    if (!conn.notes('naughty_reject_type')) conn.notes('naughty_reject_type', this.get_arg('reject_type'));
    return DECLINED;
  }

  /** Appends "; text" to the Authentication-Results notes. */
  store_auth_results(text: string): void {
    const current = this.connection.notes('authentication_results');
    this.connection.notes('authentication_results', current ? `${current}; ${text}` : text);
  }

  /** True for relay clients and whitelisted hosts or senders, which policy checks skip. */
  is_immune(): boolean {
    if (this.connection.relay_client()) {
      this.log(LOGINFO, 'skip, relay client');
      return true;
    }
    if (this.connection.notes('whitelisthost')) {
      this.log(LOGINFO, 'skip, whitelisted host');
      return true;
    }
    if (this.transaction.notes('whitelistsender')) {
      this.log(LOGINFO, 'skip, whitelisted sender');
      return true;
    }
    return false;
  }

  /** The connection's naughty note; with a value, sets it (and the rejected note). */
  is_naughty(value?: string | number): string | number | undefined {
    if (value !== undefined) {
      this.connection.notes('naughty', value);
      this.connection.notes('rejected', value);
    }
    return this.connection.notes('naughty');
  }

  /** Adds n to the connection's karma note. */
  adjust_karma(n: number): number {
    const karma = (Number(this.connection.notes('karma')) || 0) + n;
    this.connection.notes('karma', karma);
    this.log(LOGDEBUG, `karma adjust: ${n} (${karma})`);
    return karma;
  }

  /** The address helper of the session (parse "<user@host>"). */
  address(text: string): Address | undefined {
    return this.binding.qp.address(text);
  }
}

function hasOwnMethod(plugin: Plugin, name: string): boolean {
  // A method is the plugin's own when some prototype below Plugin.prototype (or the instance) defines it.
  for (let o: object | null = plugin; o && o !== Plugin.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) return true;
  }
  return false;
}

/**
 * The plugin argument "loglevel", as qpsmtpd's adjust_log_level: "loglevel 5"
 * logs every line of the plugin at level 5; "loglevel -1" / "loglevel +2"
 * moves each line's level by that much (clamped to 0..7), so "-1" shows a
 * plugin's LOGDEBUG lines under a LOGINFO threshold.
 */
function parsePluginLogLevel(args: string[]): ((level: number) => number) | undefined {
  const at = args.indexOf('loglevel');
  const value = at >= 0 ? args[at + 1] : undefined;
  if (value === undefined) return undefined;
  const match = /^([+-]?)(\d)$/.exec(value);
  if (!match) return undefined;
  const n = Number(match[2]);
  if (match[1] === '') return n <= 7 ? () => n : undefined;
  const delta = match[1] === '+' ? n : -n;
  return (level) => Math.min(7, Math.max(0, level + delta));
}
