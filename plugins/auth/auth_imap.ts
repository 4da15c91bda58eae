// auth/auth_imap: AUTH PLAIN and LOGIN checked by logging in to an IMAP
// server with the client's user name and password (LOGIN, then LOGOUT).
//
//   auth/auth_imap <host> [<port>] [imaps | starttls] [ca <file>] [timeout <s>] [connect_timeout <s>]
//
// CRAM-MD5 is not offered: the server would need the clear password, and
// IMAP LOGIN takes only that. The user name and password go as IMAP quoted
// strings or literals, so no byte of them can change the command. The
// server's OK is OK (235), its NO is DENY (535; no later auth plugin is
// asked: the server knows the password and said no); a server that cannot
// be reached, does not answer in time, or fails is DENYSOFT (454), so the
// client tries again later instead of telling its user the password is
// wrong.
//
// docs: docs/plugins/auth/auth_imap.md

import { readFileSync } from 'node:fs';
import { DENY, DENYSOFT, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { BackendError } from '../../src/auth/backend-error';
import { credentialBytes, shownUser } from '../../src/auth/credentials';
import { imapLogin, type ImapSecurity, type ImapServer } from '../../src/auth/imap/client';
import { hookDeadline, secondsArgument } from '../../src/queue/timeouts';

const PLUGIN = 'auth/auth_imap';
const DEFAULT_PORT: Record<ImapSecurity, number> = { none: 143, starttls: 143, imaps: 993 };
/** Seconds for each answer, and for connecting (with the TLS handshake). */
const DEFAULT_TIMEOUT = 10;
const DEFAULT_CONNECT_TIMEOUT = 5;

/** Every text this plugin puts in a reply, and when (the core adds "235/535 <MECH> authentication ... - "). */
const REPLIES = {
  /** OK: the IMAP server accepted the login (qpsmtpd's text). */
  accepted: (mechanism: string) => `auth_imap/${mechanism}`,
  /** DENY: the IMAP server said NO (qpsmtpd's text); also for a password IMAP cannot carry. */
  refused: (user: string, server: string) => `auth_imap - invalid password for ${shownUser(user)} at ${server}`,
  /** DENYSOFT: no verdict from the IMAP server. */
  temporary: {
    connect: (server: string) => `auth_imap - could not connect to ${server}`,
    tls: (server: string) => `auth_imap - temporary auth error: TLS with ${server} failed`,
    timeout: (server: string) => `auth_imap - temporary auth error: no answer from ${server}`,
    closed: (server: string) => `auth_imap - temporary auth error: ${server} closed the connection`,
    refused: (server: string) => `auth_imap - temporary auth error: ${server} refused the session`,
    protocol: (server: string) => `auth_imap - temporary auth error: protocol error with ${server}`,
    unavailable: (server: string) => `auth_imap - temporary auth error: ${server} is unavailable`,
  } satisfies Record<BackendError['kind'] | 'unavailable', (server: string) => string>,
} as const;

/** Log texts (the password never appears in any). */
const LOGS = {
  asking: (user: string, server: string, mechanism: string) => `asking ${server} about ${shownUser(user)} (${mechanism})`,
  pass: (user: string, server: string) => `pass: ${shownUser(user)} logged in at ${server}`,
  fail: (user: string, server: string, text: string) => `fail: ${server} refused ${shownUser(user)}: ${text}`,
  unavailable: (server: string, text: string) => `skip: ${server} cannot check passwords now: ${text}`,
  failed: (server: string, e: BackendError) => `skip: ${server}: ${e.kind === e.stage ? '' : `${e.kind} at `}${e.stage}: ${e.detail}`,
  empty: 'fail: empty password',
  nul: 'fail: a NUL byte in the user name or password (IMAP cannot carry it)',
} as const;

export default class AuthImap extends Plugin {
  private server: ImapServer = { host: '', port: 143, security: 'none', tls: {} };
  private connectMs = DEFAULT_CONNECT_TIMEOUT * 1000;
  private replyMs = DEFAULT_TIMEOUT * 1000;

  register(_qp: Qp, ...args: string[]): void {
    const [host, ...rest] = args;
    if (host === undefined) throw new Error('No IMAP server specified in plugins file.');
    // qpsmtpd takes host names and IPv4 addresses; an IPv6 address goes in brackets.
    const v6 = /^\[([0-9A-Fa-f:.]+)\]$/.exec(host);
    if (!v6 && !/^[\w.-]+$/.test(host)) throw new Error(`Bad data in imap server: ${host}`);
    let port: number | undefined;
    if (rest[0] !== undefined && /^\d+$/.test(rest[0])) {
      port = Number(rest.shift());
      if (port < 1 || port > 65535) throw new Error(`${PLUGIN}: port ${port} is out of range`);
    }
    let security: ImapSecurity = 'none';
    let caFile: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i]!;
      if (word === 'imaps' || word === 'starttls') {
        if (security !== 'none') throw new Error(`${PLUGIN}: imaps and starttls exclude each other`);
        security = word;
      } else if (word === 'ca') {
        caFile = rest[++i];
        if (caFile === undefined) throw new Error(`${PLUGIN}: ca needs a file of PEM certificates`);
      } else if (word === 'timeout') this.replyMs = secondsArgument(PLUGIN, 'timeout', rest[++i]);
      else if (word === 'connect_timeout') this.connectMs = secondsArgument(PLUGIN, 'connect_timeout', rest[++i]);
      else if (word === 'loglevel') i++; // the core's own argument
      else throw new Error(`${PLUGIN}: unknown argument "${word}"`);
    }
    if (caFile !== undefined && security === 'none') throw new Error(`${PLUGIN}: ca is only used with imaps or starttls`);
    // Read now: a missing CA file stops the start-up instead of failing every login.
    const ca = caFile === undefined ? undefined : readCa(caFile);
    this.server = { host: v6 ? v6[1]! : host, port: port ?? DEFAULT_PORT[security], security, tls: { ca } };
  }

  hook_auth_plain(transaction: Transaction, mechanism: string, user: string, password: string | undefined): Promise<HookResult> {
    return this.check(mechanism, user, password);
  }

  hook_auth_login(transaction: Transaction, mechanism: string, user: string, password: string | undefined): Promise<HookResult> {
    return this.check(mechanism, user, password);
  }

  private async check(mechanism: string, user: string, password: string | undefined): Promise<HookResult> {
    const server = describe(this.server);
    if (!password) {
      this.log(LOGINFO, LOGS.empty);
      return [DENY, REPLIES.refused(user, server)];
    }
    const userBytes = credentialBytes(user);
    const passwordBytes = credentialBytes(password);
    if (userBytes.includes(0) || passwordBytes.includes(0)) {
      this.log(LOGINFO, LOGS.nul);
      return [DENY, REPLIES.refused(user, server)];
    }
    this.log(LOGINFO, LOGS.asking(user, server, mechanism));
    try {
      const limits = { connectMs: this.connectMs, replyMs: this.replyMs, deadline: hookDeadline(this.qp) };
      const answer = await imapLogin(this.server, limits, userBytes, passwordBytes);
      if (answer.verdict === 'accepted') {
        this.log(LOGINFO, LOGS.pass(user, server));
        return [OK, REPLIES.accepted(mechanism)];
      }
      if (answer.verdict === 'refused') {
        this.log(LOGINFO, LOGS.fail(user, server, answer.text));
        return [DENY, REPLIES.refused(user, server)];
      }
      this.log(LOGWARN, LOGS.unavailable(server, answer.text));
      return [DENYSOFT, REPLIES.temporary.unavailable(server)];
    } catch (err) {
      if (!(err instanceof BackendError)) throw err;
      this.log(LOGWARN, LOGS.failed(server, err));
      return [DENYSOFT, REPLIES.temporary[err.kind](server)];
    }
  }
}

function readCa(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new Error(`${PLUGIN}: cannot read the CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${PLUGIN}: the CA file ${file} holds no PEM certificate`);
  return pem;
}

/** "host:port", "[v6]:port". */
function describe(server: ImapServer): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
