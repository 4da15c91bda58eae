// tls: STARTTLS, and SMTPS (TLS from the first byte), on the socket that
// tcpserver or xinetd hands over.
//
//   tls [<cert> [<key> [<ca> [<dhparam>]]]] [smtps_port <N>] [handshake_timeout <s>]
//
// Certificate, key, CA and DH parameter files come from the arguments, else
// the config files tls_cert, tls_key, tls_ca (one path each), else
// ssl/qpsmtpd-server.crt, ssl/qpsmtpd-server.key, ssl/qpsmtpd-ca.crt and
// ssl/qpsmtpd-dhparam.pem, found like config files. Config tls_ciphers (an
// OpenSSL cipher string) and tls_protocols (qpsmtpd's SSL_version strings:
// "SSLv23:!SSLv2:!SSLv3", "TLSv1_2 TLSv1_3") choose ciphers and versions;
// TLS 1.2 and up by default.
//
// The files are read and the TLS context built at start-up, so that a
// missing or broken certificate or a key that does not match stops the
// server (421) instead of breaking every handshake later. When the local
// port is smtps_port (465), TLS starts in the connect hook, before the
// greeting. Otherwise EHLO offers STARTTLS (and sets the transaction note
// tls_enabled, which hides AUTH under config tls_before_auth), and
// STARTTLS switches the connection over (qp.start_tls): the plaintext the
// client sent after it is thrown away, the SMTP state starts afresh. On a
// pipe or a file there is no socket: STARTTLS is not offered and is
// answered 454. A handshake that fails ends the session (no plaintext reply
// makes sense to a client that is speaking TLS).
//
// docs: docs/plugins/tls.md

import { isAbsolute, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import { DECLINED, DENY, DENY_DISCONNECT, DONE, LOGDEBUG, LOGINFO, LOGWARN } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

/** Every text this plugin puts in a reply, and when. */
const REPLIES = {
  /** 220 to STARTTLS, just before the handshake. */
  goAhead: 'Go ahead with TLS',
  /** 454 to STARTTLS on a pipe or file (no socket to encrypt). */
  notAvailable: 'TLS not available',
  /** DENY (500) to STARTTLS with arguments, as qpsmtpd. */
  noParameters: 'Syntax error (no parameters allowed)',
  /** DENY_DISCONNECT at connect on the SMTPS port when there is no socket (a pipe). */
  noSmtps: 'Cannot establish SSL session',
} as const;

/** The log lines. */
const LOG = {
  offered: 'offering STARTTLS',
  notSocket: 'skip, not a socket: STARTTLS not offered',
  started: (protocol: string, cipher: string) => `pass, ${protocol} ${cipher}`,
  smtpsStarted: (protocol: string, cipher: string) => `pass, connect via SMTPS, ${protocol} ${cipher}`,
  failed: (why: string) => `fail, TLS handshake: ${why}`,
  smtpsFailed: (why: string) => `fail, unable to establish SSL: ${why}`,
  smtpsNoSocket: 'fail, SMTPS port but not a socket (a pipe or file cannot do TLS)',
  unavailable: 'fail, STARTTLS on a pipe or file: TLS not available',
  settings: (s: string) => `TLS: ${s}`,
  expired: (date: string) => `the certificate expired on ${date}`,
} as const;

/** The qpsmtpd default file names, looked up like config files (the config dir's ssl/). */
const DEFAULT_FILES = {
  cert: 'ssl/qpsmtpd-server.crt',
  key: 'ssl/qpsmtpd-server.key',
  ca: 'ssl/qpsmtpd-ca.crt',
  dhparam: 'ssl/qpsmtpd-dhparam.pem',
} as const;

type FileRole = keyof typeof DEFAULT_FILES;
const ROLES: readonly FileRole[] = ['cert', 'key', 'ca', 'dhparam'];
/** The config file naming each role's path (dhparam has none in qpsmtpd). */
const CONFIG_FILES: Partial<Record<FileRole, string>> = { cert: 'tls_cert', key: 'tls_key', ca: 'tls_ca' };

const SMTPS_PORT = 465;

type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** What "any version" (SSLv23, all) means today: TLS 1.2 and 1.3. */
const MODERN: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];

export default class Tls extends Plugin {
  private context: SecureContext | undefined;
  private smtpsPort = SMTPS_PORT;
  private handshakeTimeoutMs: number | undefined;

  register(qp: Qp, ...args: string[]): void {
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const word = args[i]!;
      if (word === 'smtps_port') this.smtpsPort = portArgument(args[++i]);
      else if (word === 'handshake_timeout') this.handshakeTimeoutMs = secondsArgument(args[++i]) * 1000;
      else if (word === 'loglevel') i++; // the core's own argument
      else positional.push(word);
    }
    if (positional.length > ROLES.length) throw new Error(`tls: too many arguments: ${positional.slice(ROLES.length).join(' ')} (cert key ca dhparam expected)`);
    const [cert, key, ca, dhparam] = ROLES.map((role, i) => this.readFile(role, positional[i]));
    this.checkPair(cert!.data, key!.data);
    // Node ignores DH parameters it cannot read, which would only show as DHE ciphers never chosen.
    if (dhparam && !dhparam.data.toString('latin1').includes('DH PARAMETERS-----')) {
      throw new Error(`tls: the DH parameter file ${dhparam.path} holds no PEM DH PARAMETERS`);
    }
    const ciphers = qp.config('tls_ciphers');
    const options: SecureContextOptions = {
      ...protocolRange(qp.config('tls_protocols')),
      cert: cert!.data,
      key: key!.data,
      ...(ca && { ca: ca.data }),
      ...(dhparam && { dhparam: dhparam.data }),
      ...(ciphers && { ciphers }),
    };
    // node:tls only now: a session without this plugin never loads it.
    const tls = require('node:tls') as typeof import('node:tls');
    try {
      this.context = tls.createSecureContext(options);
    } catch (err) {
      throw new Error(`tls: cannot use the certificate and key: ${describe(err)}`);
    }
    this.log(LOGDEBUG, LOG.settings(`${options.minVersion}-${options.maxVersion}, ciphers ${ciphers ?? "Node's default"}`));
  }

  /** SMTPS: TLS before the greeting when the local port says so. */
  async hook_connect(_transaction: Transaction): Promise<HookResult> {
    if (this.connection.local_port() !== this.smtpsPort) return DECLINED;
    if (!this.qp.tls_available()) {
      this.log(LOGWARN, LOG.smtpsNoSocket);
      return [DENY_DISCONNECT, REPLIES.noSmtps];
    }
    try {
      const info = await this.qp.start_tls({ context: this.context!, timeoutMs: this.handshakeTimeoutMs });
      this.log(LOGINFO, LOG.smtpsStarted(info.protocol, info.cipher));
      return DECLINED;
    } catch (err) {
      // The client speaks TLS: a plaintext "550 Cannot establish SSL session" would be noise to it.
      this.log(LOGWARN, LOG.smtpsFailed((err as Error).message));
      await this.qp.disconnect();
      return DONE;
    }
  }

  /** Offers STARTTLS while the session is plaintext on a socket. */
  hook_ehlo(transaction: Transaction): HookResult {
    if (this.connection.notes('tls_enabled')) return DECLINED;
    if (!this.qp.tls_available()) {
      this.log(LOGDEBUG, LOG.notSocket);
      return DECLINED;
    }
    const capabilities = transaction.notes('capabilities') ?? [];
    capabilities.push('STARTTLS');
    transaction.notes('capabilities', capabilities);
    // "STARTTLS offered": with config tls_before_auth the core hides AUTH while this is set.
    transaction.notes('tls_enabled', 1);
    this.log(LOGDEBUG, LOG.offered);
    return DECLINED;
  }

  async hook_unrecognized_command(_transaction: Transaction, verb: string, rest: string | undefined): Promise<HookResult> {
    if (verb !== 'starttls') return DECLINED;
    // Already encrypted: a second STARTTLS is unknown, as in qpsmtpd.
    if (this.connection.notes('tls_enabled')) return DECLINED;
    if (!this.qp.tls_available()) {
      this.log(LOGINFO, LOG.unavailable);
      await this.qp.respond(454, REPLIES.notAvailable);
      return DONE;
    }
    // Offered only in the EHLO reply: before EHLO (or after HELO) the verb is unknown, as in qpsmtpd.
    if (this.connection.hello() !== 'ehlo') return DECLINED;
    if (rest !== undefined) return [DENY, REPLIES.noParameters];
    try {
      const info = await this.qp.start_tls({ context: this.context!, reply: [220, REPLIES.goAhead], timeoutMs: this.handshakeTimeoutMs });
      this.log(LOGINFO, LOG.started(info.protocol, info.cipher));
    } catch (err) {
      // After "220 Go ahead" the client speaks TLS: nothing sensible can be said in plaintext.
      this.log(LOGWARN, LOG.failed((err as Error).message));
      await this.qp.disconnect();
    }
    return DONE;
  }

  /**
   * The key must be the certificate's: OpenSSL notices a wrong key only when
   * both are of one type (an EC key beside an RSA certificate would fail
   * every handshake instead). An expired certificate is only logged.
   */
  private checkPair(cert: Buffer, key: Buffer): void {
    const crypto = require('node:crypto') as typeof import('node:crypto');
    let certificate: import('node:crypto').X509Certificate;
    let matches: boolean;
    try {
      certificate = new crypto.X509Certificate(cert);
      matches = certificate.checkPrivateKey(crypto.createPrivateKey(key));
    } catch (err) {
      throw new Error(`tls: cannot use the certificate and key: ${describe(err)}`);
    }
    if (!matches) throw new Error(`tls: the private key does not belong to the certificate (${certificate.subject.replace(/\n/g, ', ')})`);
    if (Date.parse(certificate.validTo) < Date.now()) this.log(LOGWARN, LOG.expired(certificate.validTo));
  }

  /** One file: the argument, else its config file, else the default name (only cert and key must exist then). */
  private readFile(role: FileRole, argument: string | undefined): { path: string; data: Buffer } | undefined {
    const configFile = CONFIG_FILES[role];
    const named = argument ?? (configFile ? this.qp.config(configFile) : undefined);
    const path = this.resolve(named ?? DEFAULT_FILES[role]);
    try {
      return { path, data: readFileSync(path) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The CA and DH files are optional unless named: a self-signed certificate has no CA file.
      if (!named && code === 'ENOENT' && (role === 'ca' || role === 'dhparam')) return undefined;
      throw new Error(`tls: cannot read the ${ROLE_NAMES[role]} ${path}: ${code ?? (err as Error).message}`);
    }
  }

  /** A relative path is found like a config file: in the --config dir, the project's config/, then $QMAIL/control. */
  private resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.qp.config_dir(path), path);
  }
}

const ROLE_NAMES: Record<FileRole, string> = { cert: 'certificate', key: 'private key', ca: 'CA file', dhparam: 'DH parameter file' };

/**
 * config tls_protocols as Node's version range. qpsmtpd passes the string to
 * IO::Socket::SSL's SSL_version: words separated by ":" (or spaces, commas),
 * "!" or "-" to remove one. SSLv23 (or "all") means every version worth
 * having, which today is TLS 1.2 and 1.3; SSLv2 and SSLv3 are never
 * available; TLSv1 and TLSv1_1 only when named. A leading removal starts
 * from that default. The result must be one unbroken range.
 */
export function protocolRange(text: string | undefined): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  let enabled: Set<TlsVersion> | undefined;
  for (const token of (text ?? '').split(/[\s:,]+/).filter((w) => w !== '')) {
    const remove = token.startsWith('!') || token.startsWith('-');
    const versions = versionsOf(remove || token.startsWith('+') ? token.slice(1) : token);
    if (remove) {
      enabled ??= new Set(MODERN);
      for (const v of versions) enabled.delete(v);
    } else {
      enabled ??= new Set();
      for (const v of versions) enabled.add(v);
    }
  }
  enabled ??= new Set(MODERN);
  const on = VERSIONS.map((v) => enabled.has(v));
  const first = on.indexOf(true);
  const last = on.lastIndexOf(true);
  if (first < 0) throw new Error(`tls: tls_protocols "${text}" leaves no TLS version`);
  if (on.slice(first, last + 1).includes(false)) throw new Error(`tls: tls_protocols "${text}" is not one range of versions`);
  return { minVersion: VERSIONS[first]!, maxVersion: VERSIONS[last]! };
}

function versionsOf(name: string): readonly TlsVersion[] {
  const key = name.toLowerCase().replace(/[._]/g, '');
  switch (key) {
    case 'sslv23':
    case 'all':
      return MODERN;
    case 'sslv2':
    case 'sslv3':
      return [];
    case 'tlsv1':
    case 'tlsv10':
      return ['TLSv1'];
    case 'tlsv11':
      return ['TLSv1.1'];
    case 'tlsv12':
      return ['TLSv1.2'];
    case 'tlsv13':
      return ['TLSv1.3'];
    default:
      throw new Error(`tls: unknown protocol "${name}" in tls_protocols`);
  }
}

function portArgument(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`tls: smtps_port needs a port number (0: never), not ${value ?? 'nothing'}`);
  return Number(value);
}

function secondsArgument(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) === 0) throw new Error(`tls: handshake_timeout needs a number of seconds, not ${value ?? 'nothing'}`);
  return Number(value);
}

/** OpenSSL's reason ("key values mismatch", "no start line") rather than its address-laden message. */
function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  return e.reason ?? e.message;
}
