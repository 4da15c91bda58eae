// The plugin API: what `import { Plugin, OK } from 'qpsmtpd'` gives a plugin
// author. Plugins loaded by dist/qpsmtpd get this very module (the loader
// maps the name 'qpsmtpd' to it), so their Plugin base class and constants
// are the running server's own.

import type { Plugin } from '../plugin/plugin';
import type { PluginHooks } from './hooks';
import type { Qp } from '../plugin/api';

export {
  DECLINED,
  DENY,
  DENYHARD,
  DENYSOFT,
  DENYSOFT_DISCONNECT,
  DENY_DISCONNECT,
  DONE,
  LOGALERT,
  LOGCRIT,
  LOGDEBUG,
  LOGEMERG,
  LOGERROR,
  LOGINFO,
  LOGNOTICE,
  LOGRADAR,
  LOGWARN,
  OK,
  isDeny,
  log_level,
  return_code,
} from '../constants';
export type { LogLevel, ReturnCode } from '../constants';
export { Plugin } from '../plugin/plugin';
export { Address } from '../address/address';
export { Header } from '../message/header';
export type { Connection } from '../connection/connection';
export type { Transaction } from '../message/transaction';
export type { EsmtpParams, HookOutcome, HookResult, HookReturn, ParserFunction, Qp, StartTlsOptions } from '../plugin/api';
export type { TlsInfo } from '../io/tls';
export type { ConfigMap } from '../config/cdb';
export type { AuthHookArgs, ParseHookReturn, PluginHooks, PreConnectionInfo } from './hooks';
export type { ConnectionNotes, TransactionNotes } from './notes';
export { VERSION } from '../version';

/** What init() and register() receive: the session and the words after the plugin name. */
export type PluginSetup = (this: Plugin & Record<string, any>, qp: Qp, ...args: string[]) => void | Promise<void>;

/** A plugin written as an object of functions (as qpsmtpd's plain hook_* subs); `this` is the plugin. */
export type PluginDefinition = PluginHooks & {
  init?: PluginSetup;
  register?: PluginSetup;
} & ThisType<Plugin & Record<string, any>>;

/**
 * Types a function-style plugin without changing it:
 *   export default definePlugin({ hook_rcpt(transaction, recipient) { ... } })
 * (ThisType must sit on the parameter: on the constraint alone it does not
 * reach the methods of the inferred T, and `this` would be the object literal.)
 */
export function definePlugin<T extends PluginDefinition>(definition: T & ThisType<Plugin & Record<string, any>>): T {
  return definition;
}
