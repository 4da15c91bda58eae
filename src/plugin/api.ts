// The types a plugin sees: what a hook may return, and the session object
// (`qp`) with the methods qpsmtpd plugins know.

import type { SecureContext } from 'node:tls';
import type { Address } from '../address/address';
import type { ConfigMap } from '../config/cdb';
import type { Connection } from '../connection/connection';
import type { Transaction } from '../message/transaction';
import type { TlsInfo } from '../io/tls';

/** A parser handed back by a *_parse hook: (verb, rest) -> [OK, values...] or [code, error text]. */
export type ParserFunction = (verb: string, rest: string | undefined) => unknown[] | Promise<unknown[]>;

/**
 * What a hook returns: a code (`return DECLINED`), or a code with messages
 * (`return [DENY, 'no such user']`), or a promise of either. Messages are
 * split into reply lines at "\n".
 */
export type HookResult =
  | number
  | readonly [number, ...unknown[]]
  // What TypeScript infers for `return [DENY, 'text']` in a method without a return type annotation.
  | readonly (number | string)[]
  | undefined
  | void;
export type HookReturn = HookResult | Promise<HookResult>;

/** A hook's outcome after every plugin ran: the deciding code and its messages (code 0: nobody registered). */
export interface HookOutcome {
  code: number;
  msgs: unknown[];
  /** Set when a plugin threw or ran over its time limit (the code is then DENYSOFT). */
  failed?: boolean;
}

/** ESMTP parameters of MAIL/RCPT, keys lower-cased; a keyword without "=" has an undefined value. */
export type EsmtpParams = Record<string, string | undefined>;

/** How qp.start_tls() switches the client connection to TLS. */
export interface StartTlsOptions {
  /** The server's certificate and key, ciphers and protocol versions (tls.createSecureContext()). */
  context: SecureContext;
  /**
   * STARTTLS: the go-ahead reply (`[220, 'Go ahead with TLS']`). The bytes
   * the client sent before it are thrown away, then it is written, then the
   * handshake runs. Without it (SMTPS, before the greeting) the bytes
   * already received are the start of the handshake.
   */
  reply?: readonly [code: number, ...lines: string[]];
  /** Time limit for the handshake in ms (default: the command timeout). */
  timeoutMs?: number;
}

/** The session object plugins reach as `this.qp`. */
export interface Qp {
  readonly connection: Connection;
  /** The current transaction (created on first use). */
  readonly transaction: Transaction;
  /** First line of config file `name` (config hooks first). */
  config(name: string): string | undefined;
  /** Every line of config file `name`. */
  config(name: string, type: 'list'): string[];
  /** <name>.cdb as a lookup table (qmail's morercpthosts.cdb ...). */
  config(name: string, type: 'map'): ConfigMap;
  /** First line of config `name` for an address (user_config hooks first). */
  config(name: string, address: Address): string | undefined;
  /** Ends the current transaction (reset_transaction hook) and starts a new one. */
  reset_transaction(): Promise<void>;
  /** Writes a reply: `respond(250, 'line one', 'line two')`. */
  respond(code: number, ...lines: unknown[]): Promise<void>;
  /** Runs the disconnect hooks, closes the session and ends the process after the current command. */
  disconnect(): Promise<void>;
  log(level: number, ...message: unknown[]): void;
  /** log() with the hook and plugin named (what Plugin.log uses). */
  varlog(level: number, hook: string | undefined, plugin: string | undefined, ...message: unknown[]): void;
  spool_dir(): string;
  temp_file(): string;
  temp_dir(mode?: number): string;
  size_threshold(): number;
  /** The stored AUTH result code ('' before any AUTH); compare with OK. */
  authenticated(): number | '';
  auth_user(): string;
  auth_mechanism(): string;
  /** The CRAM-MD5 challenge of the AUTH in progress. */
  auth_ticket(): string | undefined;
  /** Parses an address ("<user@host>" or "user@host"). */
  address(text: string): Address | undefined;
  version(): string;
  /** Names of the plugins registered for a hook, in run order. */
  hooks(name: string): string[];
  run_hooks(hook: string, ...args: unknown[]): Promise<HookOutcome>;
  command_counter(): number;
  plugin_dirs(): string[];
  config_dir(name: string): string;
  /** Whether the client connection can switch to TLS (one socket on fds 0 and 1, not switched yet). */
  tls_available(): boolean;
  /** Switches the client connection to TLS; resolves with the cipher and protocol (see StartTlsOptions). */
  start_tls(options: StartTlsOptions): Promise<TlsInfo>;
}
