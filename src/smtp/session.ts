// The session: one SMTP connection's state and the API plugins reach as
// `this.qp` (config, log, respond, transactions, hooks). The command loop
// and the commands themselves live in dispatcher.ts and commands/.

import { hostname } from 'node:os';
import { Address } from '../address/address';
import { CdbFile, type ConfigMap, EMPTY_MAP } from '../config/cdb';
import type { ConfigStore } from '../config/store';
import { Connection } from '../connection/connection';
import { DENYSOFT, LOGDEBUG, LOGINFO, LOGWARN, OK } from '../constants';
import { HookRegistry } from '../hooks/registry';
import { HookRunner } from '../hooks/runner';
import type { Input } from '../io/input';
import type { Output } from '../io/output';
import type { TlsInfo, TlsLink } from '../io/tls';
import type { Logger } from '../log/logger';
import { Spool } from '../message/spool';
import { Transaction } from '../message/transaction';
import type { HookOutcome, Qp, StartTlsOptions } from '../plugin/api';
import { VERSION } from '../version';
import { formatReply } from './reply';
import { type ReplyContext, type ReplyTable, type FollowUp, replyFor } from './replies';

/** Built-in values used when a config file is missing (qpsmtpd has only these two). */
const CONFIG_DEFAULTS: Record<string, () => string> = {
  me: () => hostname(),
  timeout: () => '1200',
};

const DEFAULT_SIZE_THRESHOLD = 64 * 1024;
const DEFAULT_PLUGIN_TIMEOUT_S = 60;
const DEFAULT_MAX_LINE_LENGTH = 4096;

export interface SessionSetup {
  config: ConfigStore;
  logger: Logger;
  input: Input;
  output: Output;
  /** --spool-dir, which wins over config spool_dir. */
  spoolDir?: string;
  /** Plugin directories searched, in order (--plugin-dir, then plugin_dirs). */
  pluginDirs: string[];
  /** The switch to TLS, when the client connection is one socket (tcpserver, xinetd). */
  tls?: TlsLink;
}

export class Session implements Qp {
  readonly connection = new Connection();
  readonly registry = new HookRegistry();
  readonly hooks_runner: HookRunner;
  readonly input: Input;
  readonly output: Output;
  readonly logger: Logger;
  /** Set once disconnect ran: nothing more is read or written. */
  closed = false;
  /** Verbs the dispatcher accepts; AUTH joins once an EHLO advertised it. */
  readonly commands = new Set(['ehlo', 'helo', 'rset', 'mail', 'rcpt', 'data', 'help', 'vrfy', 'noop', 'quit']);
  private readonly store: ConfigStore;
  private readonly spool: Spool;
  private readonly pluginDirList: string[];
  private _transaction: Transaction | undefined;
  private commandCount = 0;
  private authState: number | '' = '';
  private authUser = '';
  private authMechanism = '';
  private authTicket: string | undefined;
  private readonly maps = new Map<string, ConfigMap>();

  constructor(setup: SessionSetup) {
    this.store = setup.config;
    this.logger = setup.logger;
    this.input = setup.input;
    this.output = setup.output;
    this.spool = new Spool({
      dir: () => setup.spoolDir ?? this.config('spool_dir'),
      perms: () => this.config('spool_perms'),
      warn: (message) => this.log(LOGWARN, message),
    });
    this.pluginDirList = setup.pluginDirs;
    this.tlsLink = setup.tls;
    this.hooks_runner = new HookRunner(this.registry, {
      transaction: () => this.transaction,
      currentTransaction: () => this._transaction,
      log: (level, hook, plugin, ...message) => this.varlog(level, hook, plugin, ...message),
      pluginTimeoutMs: () => this.pluginTimeoutMs(),
    });
  }

  // ---- config ----

  config(name: string): string | undefined;
  config(name: string, type: 'list'): string[];
  config(name: string, type: 'map'): ConfigMap;
  config(name: string, address: Address): string | undefined;
  config(name: string, type?: 'list' | 'map' | Address): string | string[] | ConfigMap | undefined {
    if (type === 'map') return this.configMap(name);
    const lines = this.configLines(name, type instanceof Address ? type : undefined);
    return type === 'list' ? lines : lines[0];
  }

  /** <name>.cdb as a lookup table (empty when the file is missing), opened once. */
  private configMap(name: string): ConfigMap {
    let map = this.maps.get(name);
    if (!map) {
      map = CdbFile.open(this.store.pathFor(`${name}.cdb`)) ?? EMPTY_MAP;
      this.maps.set(name, map);
    }
    return map;
  }

  private configLines(name: string, address: Address | undefined): string[] {
    const current = this._transaction;
    if (address) {
      const user = this.hooks_runner.runSync('user_config', [address, name], current);
      if (user.code === OK) return user.msgs.map(String);
    }
    const hooked = this.hooks_runner.runSync('config', [name], current);
    if (hooked.code === OK) return hooked.msgs.map(String);
    const lines = this.store.lines(name);
    if (lines.length > 0) return lines;
    const fallback = CONFIG_DEFAULTS[name];
    return fallback ? [fallback()] : [];
  }

  /** A config file's lines without asking the config hooks (for config/logging, as qpsmtpd reads it). */
  configStoreLines(name: string): string[] {
    return this.store.lines(name);
  }

  config_dir(name: string): string {
    return this.store.dirFor(name);
  }

  plugin_dirs(): string[] {
    return this.pluginDirList;
  }

  /** Our host name (config me). */
  me(): string {
    return this.config('me') ?? hostname();
  }

  /** A numeric config value, or the fallback when it is missing or not a number. */
  configNumber(name: string, fallback: number): number {
    const value = this.config(name);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback;
  }

  databytes(): number {
    return this.configNumber('databytes', 0);
  }

  maxLineLength(): number {
    return this.configNumber('max_line_length', DEFAULT_MAX_LINE_LENGTH);
  }

  /** Read timeout for commands: timeoutsmtpd, else timeout (default 1200 s). */
  commandTimeoutMs(): number {
    return this.configNumber('timeoutsmtpd', this.configNumber('timeout', 1200)) * 1000;
  }

  /** Read timeout inside DATA: timeout only, as in qpsmtpd. */
  dataTimeoutMs(): number {
    return this.configNumber('timeout', 1200) * 1000;
  }

  pluginTimeoutMs(): number {
    return this.configNumber('plugin_timeout', DEFAULT_PLUGIN_TIMEOUT_S) * 1000;
  }

  size_threshold(): number {
    return this.configNumber('size_threshold', DEFAULT_SIZE_THRESHOLD);
  }

  // ---- logging ----

  log(level: number, ...message: unknown[]): void {
    this.logger.log(level, undefined, undefined, message);
  }

  varlog(level: number, hook: string | undefined, plugin: string | undefined, ...message: unknown[]): void {
    this.logger.log(level, hook, plugin, message);
  }

  // ---- transactions ----

  get transaction(): Transaction {
    this._transaction ??= this.newTransaction();
    return this._transaction;
  }

  /** Makes sure a transaction exists (after HELO, as in qpsmtpd, so the first MAIL resets it). */
  openTransaction(): void {
    this._transaction ??= this.newTransaction();
  }

  private newTransaction(): Transaction {
    return new Transaction({ sizeThreshold: () => this.size_threshold(), tempPath: () => this.spool.tempPath() });
  }

  /** The transaction if one exists (logging must not create one). */
  currentTransaction(): Transaction | undefined {
    return this._transaction;
  }

  /** Runs reset_transaction for the current transaction (if any) and starts afresh. */
  async reset_transaction(): Promise<void> {
    if (this._transaction) {
      await this.run_hooks('reset_transaction');
      this._transaction.destroy();
    }
    // A new, empty transaction takes its place at once (as in qpsmtpd), so the
    // next reset runs the hook again (EOF inside DATA: two resets, behaviour §1.7).
    this._transaction = this.newTransaction();
  }

  /** Releases the transaction at the very end, without hooks. */
  dropTransaction(): void {
    this._transaction?.destroy();
    this._transaction = undefined;
  }

  // ---- replies and the end of the session ----

  async respond(code: number, ...lines: unknown[]): Promise<void> {
    if (this.closed) {
      this.log(LOGDEBUG, `not sending ${code} after disconnect`);
      return;
    }
    const text = formatReply(code, lines);
    if (this.logger.threshold >= LOGINFO || this.logger.hasDispatcher()) {
      for (const line of text.split('\r\n')) if (line) this.log(LOGINFO, line);
    }
    await this.output.write(text);
  }

  /**
   * Answers a hook's outcome from its reply table and carries out what the
   * table says follows (reset, disconnect). Returns that follow-up.
   */
  async reply(table: ReplyTable, outcome: HookOutcome, ctx: Partial<ReplyContext> = {}): Promise<FollowUp> {
    const spec = replyFor(table, outcome.code);
    if (spec.code !== undefined) {
      // A failure's "Internal error" text only belongs in a refusal, not in a 214 or 221.
      const failureShown = !outcome.failed || table[DENYSOFT] !== undefined;
      const own = spec.pluginText !== false && outcome.msgs.length > 0 && failureShown;
      const texts = own ? outcome.msgs : (spec.text?.({ me: this.me(), ...ctx }) ?? []);
      await this.respond(spec.code, ...texts);
    }
    if (spec.then === 'reset') await this.reset_transaction();
    if (spec.then === 'disconnect') await this.disconnect();
    return spec.then;
  }

  /**
   * A plugin that a command depends on failed (it threw or ran over its
   * time limit): the command is refused for now, never waved through
   * (decision 5). Returns undefined for the caller to pass on.
   */
  async refuseAfterFailure(messages: unknown[]): Promise<undefined> {
    await this.respond(451, ...messages);
    return undefined;
  }

  /** Runs the disconnect hooks and closes the session; the process ends after post-connection. */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.log(LOGINFO, 'click, disconnecting');
    await this.run_hooks('disconnect');
    this.connection.notes('disconnected', 1);
    if (this._transaction) await this.run_hooks('reset_transaction');
    this.closed = true;
  }

  // ---- hooks ----

  async run_hooks(hook: string, ...args: unknown[]): Promise<HookOutcome> {
    return this.hooks_runner.run(hook, args);
  }

  hooks(name: string): string[] {
    return this.registry.entries(name).map((e) => e.name);
  }

  // ---- counters, auth state ----

  command_counter(): number {
    return this.commandCount;
  }

  countCommand(): void {
    this.commandCount++;
  }

  authenticated(): number | '' {
    return this.authState;
  }

  auth_user(): string {
    return this.authUser;
  }

  auth_mechanism(): string {
    return this.authMechanism;
  }

  /** The CRAM-MD5 challenge of the AUTH in progress (validate_password compares against it). */
  auth_ticket(): string | undefined {
    return this.authTicket;
  }

  setAuthTicket(ticket: string | undefined): void {
    this.authTicket = ticket;
  }

  /** Records an AUTH result: OK with the user and mechanism, or the failure's code. */
  setAuth(state: number, user = '', mechanism = ''): void {
    this.authState = state;
    if (state === OK) {
      this.authUser = user;
      this.authMechanism = mechanism;
    }
  }

  isAuthenticated(): boolean {
    return this.authState === OK;
  }

  /** An AUTH attempt left a result (OK or not): Authentication-Results then says pass or fail. */
  authTried(): boolean {
    return this.authState !== '';
  }

  // ---- TLS ----

  private readonly tlsLink: TlsLink | undefined;

  /** Whether the client connection can switch to TLS: one socket on fds 0 and 1 (not a pipe or file), not switched yet. */
  tls_available(): boolean {
    return this.tlsLink !== undefined && !this.tlsLink.started;
  }

  /**
   * Switches the client connection to TLS (STARTTLS with `reply`, SMTPS
   * without) and resolves with the cipher and protocol once the handshake
   * is done. Rejects when TLS is not available, or when the handshake fails
   * or times out; the connection is then gone (replies are dropped, the
   * next read is end of input).
   */
  async start_tls(options: StartTlsOptions): Promise<TlsInfo> {
    const link = this.tlsLink;
    if (!link) throw new Error('TLS is not available: the client connection is not a socket');
    if (link.started) throw new Error('TLS was already started on this connection');
    let early = [this.input.takeBuffered(), ...link.takePlaintext()].filter((b) => b.length > 0);
    if (options.reply) {
      // STARTTLS: what the client sent before our go-ahead is plaintext it
      // cannot have meant to protect. It is thrown away, never run as
      // commands (STARTTLS command injection, CVE-2011-0411).
      const dropped = early.reduce((n, b) => n + b.length, 0);
      if (dropped > 0) this.log(LOGWARN, `STARTTLS: discarded ${dropped} bytes sent before the TLS handshake`);
      early = [];
      await this.respond(...options.reply);
    }
    const info = await link.startTls(options.context, options.timeoutMs ?? this.commandTimeoutMs(), early);
    this.log(LOGINFO, `TLS started: ${info.protocol} ${info.cipher}`);
    // RFC 3207 4.2: what the client said before TLS is forgotten (a new EHLO
    // is needed, AUTH waits for its offer again); the connection's facts,
    // relay_client and notes stay, as qpsmtpd's connection clone keeps them.
    const conn = this.connection;
    conn.forgetHello();
    this.commands.delete('auth');
    conn.notes('tls_enabled', 1);
    conn.notes('tls_cipher', info.cipher);
    conn.notes('tls_protocol', info.protocol);
    await this.reset_transaction();
    return info;
  }

  // ---- helpers ----

  address(text: string): Address | undefined {
    return Address.parse(text);
  }

  version(): string {
    return VERSION;
  }

  /** The spool directory, created (mode spool_perms, default 0700) on first use; ends in "/". */
  spool_dir(): string {
    return this.spool.dir();
  }

  temp_file(): string {
    return this.spool.tempPath();
  }

  /** A new directory in the spool (not deleted automatically; Plugin.temp_dir is). */
  temp_dir(mode = 0o700): string {
    return this.spool.tempDir(mode);
  }
}
