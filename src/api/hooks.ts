// The typed signature of every hook: what the core passes to a hook_<name>
// method after the transaction, and what the method may return. The Plugin
// class merges this interface in, so a plugin's hook_* methods are checked
// against it and an editor offers them as completions.

import type { Address } from '../address/address';
import type { Transaction } from '../message/transaction';
import type { EsmtpParams, HookResult, HookReturn, ParserFunction } from '../plugin/api';

/** What a *_parse hook may hand back: `[OK, parser]`, or a code to let the default parser run. */
export type ParseHookReturn =
  | HookReturn
  | readonly [number, ParserFunction]
  // What TypeScript infers for `return [OK, parser]` without an annotation.
  | readonly (number | ParserFunction)[]
  | Promise<readonly [number, ParserFunction] | readonly (number | ParserFunction)[]>;

/** What the auth hooks get: the mechanism, the user, the clear password (PLAIN, LOGIN) or the hash and ticket (CRAM-MD5). */
export type AuthHookArgs = [
  transaction: Transaction,
  mechanism: string,
  user: string,
  password: string | undefined,
  hash: string | undefined,
  ticket: string | undefined,
];

/** The facts `pre-connection` gets, before the connection object is trusted with them. */
export interface PreConnectionInfo {
  remote_ip: string | undefined;
  remote_port: number | undefined;
  local_ip: string | undefined;
  local_port: number | undefined;
}

/**
 * Every hook, as the method that implements it. `transaction` is the current
 * transaction; for `logging` and `config` it is undefined before the first
 * one exists. Results of the hooks marked "ignored" are not used by the core.
 */
export interface PluginHooks {
  /** Every log call. OK or DECLINED: handled (no stderr line). Must answer synchronously. */
  hook_logging?(transaction: Transaction | undefined, level: number, hook: string | undefined, plugin: string | undefined, message: string): HookResult;
  /** Every config() call. [OK, ...values] serves the values instead of the file. Must answer synchronously. */
  hook_config?(transaction: Transaction | undefined, name: string): HookResult;
  /** config(name, address). [OK, ...values] serves them; otherwise the config hooks run. Synchronous. */
  hook_user_config?(transaction: Transaction | undefined, address: Address, name: string): HookResult;
  /** Before the greeting, with the raw connection facts (decision 8). DENY or DENYSOFT (and their _DISCONNECT forms) refuse and close. */
  hook_pre_connection?(transaction: Transaction, info: PreConnectionInfo): HookReturn;
  /** Never runs under tcpserver or inetd (there is no fork); kept so qpsmtpd plugins load. */
  hook_post_fork?(transaction: Transaction): HookReturn;
  /** Before the greeting. DENY → 550 and close, DENYSOFT → 450 and close, DONE → no greeting. */
  hook_connect?(transaction: Transaction): HookReturn;
  /** Start of EHLO: [OK, parser] replaces the argument parser. */
  hook_ehlo_parse?(transaction: Transaction): ParseHookReturn;
  /** EHLO host: DENY → 550, DENYSOFT → 450, DONE → no reply, OK/DECLINED → the EHLO list. */
  hook_ehlo?(transaction: Transaction, host: string, ...extra: string[]): HookReturn;
  /** Start of HELO: [OK, parser] replaces the argument parser. */
  hook_helo_parse?(transaction: Transaction): ParseHookReturn;
  /** HELO host: as hook_ehlo, with the one-line 250. */
  hook_helo?(transaction: Transaction, host: string, ...extra: string[]): HookReturn;
  /** Start of AUTH: [OK, parser] replaces the argument parser. */
  hook_auth_parse?(transaction: Transaction, rest: string | undefined): ParseHookReturn;
  /** Any AUTH mechanism, after the mechanism's own hook declined: OK → 235, DENYSOFT → 454, otherwise 535. Registering an auth hook makes EHLO offer AUTH. */
  hook_auth?(...args: AuthHookArgs): HookReturn;
  hook_auth_plain?(...args: AuthHookArgs): HookReturn;
  hook_auth_login?(...args: AuthHookArgs): HookReturn;
  hook_auth_cram_md5?(...args: AuthHookArgs): HookReturn;
  /** Start of RCPT, with the text after "RCPT TO:": [OK, parser] replaces the parser. */
  hook_rcpt_parse?(transaction: Transaction, rest: string | undefined): ParseHookReturn;
  /** The recipient as text before it is parsed: [OK, text] replaces it. */
  hook_rcpt_pre?(transaction: Transaction, address: string | undefined, params: EsmtpParams): HookReturn;
  /** The recipient: OK → 250, DENY → 550, DENYSOFT → 450, DONE → no reply; nobody deciding → 450. */
  hook_rcpt?(transaction: Transaction, recipient: Address, params: EsmtpParams): HookReturn;
  /** Start of MAIL, with the text after "MAIL FROM:": [OK, parser] replaces the parser. */
  hook_mail_parse?(transaction: Transaction, rest: string | undefined): ParseHookReturn;
  /** The sender: OK/DECLINED → 250, DENY → 550, DENYSOFT → 450, DONE → no reply. */
  hook_mail?(transaction: Transaction, sender: Address, params: EsmtpParams): HookReturn;
  /** The sender as text before it is parsed: [OK, text] replaces it. */
  hook_mail_pre?(transaction: Transaction, address: string | undefined, params: EsmtpParams): HookReturn;
  /** DATA, before the checks: DENY → 554, DENYSOFT → 451, DONE → no reply; otherwise 354. */
  hook_data?(transaction: Transaction): HookReturn;
  /** The blank line after the header: DENY_DISCONNECT → 554 and close, DENYSOFT_DISCONNECT → 421 and close. */
  hook_data_headers_end?(transaction: Transaction): HookReturn;
  /** After the final dot, before the trace headers. The result is ignored, but a plugin that throws or times out refuses the message (452). */
  hook_data_post_headers?(transaction: Transaction): HookReturn;
  /** After the Received header: DENY → 552, DENYSOFT → 452, DONE → no reply; otherwise queueing. */
  hook_data_post?(transaction: Transaction): HookReturn;
  /** Before queueing: OK/DECLINED → the queue hooks run; DONE → no reply; anything else → 451 Queuing declined (qpsmtpd sent nothing: decision 3). */
  hook_queue_pre?(transaction: Transaction): HookReturn;
  /** Queueing: OK → 250, DENY → 552, DENYSOFT → 452, DONE → no reply; nobody → 451. */
  hook_queue?(transaction: Transaction): HookReturn;
  /** After the queue reply. Ignored (a non-OK result is logged). */
  hook_queue_post?(transaction: Transaction): HookReturn;
  /** VRFY: OK → 250, DENY → 554, DONE → no reply; otherwise 252. */
  hook_vrfy?(transaction: Transaction): HookReturn;
  /** NOOP: DENY → 500, DONE → no reply; otherwise 250 OK. */
  hook_noop?(transaction: Transaction): HookReturn;
  /** QUIT: DONE → no 221 (the session still ends). */
  hook_quit?(transaction: Transaction): HookReturn;
  /** Before a transaction is replaced, and at disconnect; sees the old transaction. Ignored. */
  hook_reset_transaction?(transaction: Transaction): HookReturn;
  /** The session is ending (QUIT, *_DISCONNECT, EOF, timeout). Ignored. */
  hook_disconnect?(transaction: Transaction): HookReturn;
  /** Just before the process exits. Ignored. */
  hook_post_connection?(transaction: Transaction): HookReturn;
  /** An unknown verb: DENY → 500 with the text, DENY_DISCONNECT → 521 and close, DONE → no reply (you answered). */
  hook_unrecognized_command?(transaction: Transaction, verb: string, rest: string | undefined): HookReturn;
  /** After any plugin's DENY* result. Ignored. */
  hook_deny?(transaction: Transaction, plugin: string, code: number, message: string): HookReturn;
  /** After any plugin's non-DENY result (DECLINED included). Ignored. */
  hook_ok?(transaction: Transaction, plugin: string, code: number, message: string): HookReturn;
  /** Building the Received header: [OK, text] makes text its value. */
  hook_received_line?(transaction: Transaction, protocol: string, auth: string, tls: string): HookReturn;
  /** HELP: DENY → 500, DONE → no reply; [OK, ...lines] → those lines as 214. */
  hook_help?(transaction: Transaction, rest?: string): HookReturn;
}
