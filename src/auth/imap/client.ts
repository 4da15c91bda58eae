// Asks an IMAP server whether a user name and password are right: connect
// (in the clear, IMAPS, or STARTTLS), read the greeting, LOGIN, LOGOUT
// (RFC 3501 sections 6.1.4, 6.2.3, 6.1.3). Nothing else is done with the
// mailbox. Every step has a time limit (BackendSocket).
//
// A password goes out only where the server accepts one: never in the
// clear to a server that says LOGINDISABLED, never before the TLS
// handshake of STARTTLS, and never with a server that sent anything in the
// clear after agreeing to STARTTLS.

import { BackendError } from '../backend-error';
import { BackendSocket, type BackendLimits, type TlsSettings } from '../backend-socket';
import { imapArgument, type ImapArgument } from './astring';
import { ImapProtocolError, takeResponse, type ImapResponse } from './response';

/** none: IMAP in the clear (port 143); imaps: TLS from the start (993); starttls: 143, then STARTTLS. */
export type ImapSecurity = 'none' | 'imaps' | 'starttls';

export interface ImapServer {
  host: string;
  port: number;
  security: ImapSecurity;
  tls: TlsSettings;
}

/**
 * accepted: LOGIN said OK. refused: LOGIN said NO (a wrong user name or
 * password, or a user who may not log in). unavailable: LOGIN said NO
 * with a code that means "not now" (RFC 5530: UNAVAILABLE, SERVERBUG,
 * INUSE, LIMIT, PRIVACYREQUIRED).
 */
export type LoginVerdict = { verdict: 'accepted' } | { verdict: 'refused' | 'unavailable'; text: string };

/** RFC 5530 codes of a NO that says nothing about the password. */
const TEMPORARY_CODES = new Set(['UNAVAILABLE', 'SERVERBUG', 'INUSE', 'LIMIT', 'PRIVACYREQUIRED']);
/** LOGOUT is politeness: the answer is already known, so it gets a short wait. */
const LOGOUT_WAIT_MS = 2000;

export async function imapLogin(server: ImapServer, limits: BackendLimits, user: Buffer, password: Buffer): Promise<LoginVerdict> {
  const args = [imapArgument(user), imapArgument(password)];
  const conn = await BackendSocket.connect(server.host, server.port, limits, server.security === 'imaps' ? server.tls : undefined);
  const session = new ImapSession(conn, limits);
  try {
    const greeting = await session.response('greeting');
    if (greeting.tag !== '*' || !greeting.status) throw new BackendError('protocol', 'greeting', 'no greeting');
    if (greeting.status === 'BYE') throw new BackendError('refused', 'greeting', greeting.text || 'BYE');
    // PREAUTH: logged in without a password, which proves nothing about this one.
    if (greeting.status !== 'OK') throw new BackendError('protocol', 'greeting', `${greeting.status} greeting`);
    let capabilities = capabilitiesFrom(greeting) ?? (await session.capability());
    if (server.security === 'starttls') {
      if (!capabilities.has('STARTTLS')) throw new BackendError('tls', 'STARTTLS', 'the server does not offer STARTTLS');
      const reply = await session.command('STARTTLS', ['STARTTLS']);
      if (reply.status !== 'OK') throw new BackendError('tls', 'STARTTLS', `${reply.status} ${reply.text}`);
      await conn.startTls('STARTTLS', server.tls);
      // What the server said before the handshake may have been forged: ask again.
      capabilities = await session.capability();
    }
    if (capabilities.has('LOGINDISABLED')) {
      throw new BackendError('refused', 'LOGIN', 'the server takes no password on this connection (LOGINDISABLED): use imaps or starttls');
    }
    const reply = await session.command('LOGIN', ['LOGIN', ...args]);
    let verdict: LoginVerdict;
    if (reply.status === 'OK') verdict = { verdict: 'accepted' };
    else if (reply.status === 'NO') {
      const code = reply.code?.split(' ')[0] ?? '';
      verdict = { verdict: TEMPORARY_CODES.has(code) ? 'unavailable' : 'refused', text: `NO ${reply.code ? `[${reply.code}] ` : ''}${reply.text}` };
    } else throw new BackendError('protocol', 'LOGIN', `${reply.status} ${reply.text}`);
    await session.logout();
    return verdict;
  } finally {
    conn.close();
  }
}

/** The CAPABILITY response code of a greeting, as a set of upper-case words. */
function capabilitiesFrom(response: ImapResponse): Set<string> | undefined {
  if (!response.code?.startsWith('CAPABILITY ')) return undefined;
  return new Set(response.code.split(' ').slice(1));
}

class ImapSession {
  private tags = 0;
  private capabilities: Set<string> | undefined;

  constructor(
    private readonly conn: BackendSocket,
    private readonly limits: BackendLimits,
  ) {}

  /** The next response from the server. */
  response(stage: string, ms?: number): Promise<ImapResponse> {
    return this.conn.nextMessage(stage, takeResponse, ImapProtocolError, ms);
  }

  /**
   * Sends a command and returns its tagged completion. Literals are
   * synchronizing: each waits for the server's "+" before its bytes go out
   * (a server that answers with a completion instead has refused the
   * command). Untagged CAPABILITY data is kept; a BYE ends the session.
   */
  async command(stage: string, parts: (string | ImapArgument)[], ms?: number): Promise<ImapResponse> {
    const tag = `a${++this.tags}`;
    let line = tag;
    for (const part of parts) {
      if (typeof part === 'string') line += ` ${part}`;
      else if (part.kind === 'quoted') line += ` ${part.text}`;
      else {
        this.conn.write(stage, `${line} {${part.bytes.length}}\r\n`);
        for (;;) {
          const r = await this.response(stage, ms);
          if (r.tag === '+') break;
          if (r.tag === tag) return r;
          this.untagged(stage, r);
        }
        this.conn.write(stage, part.bytes);
        line = '';
      }
    }
    this.conn.write(stage, `${line}\r\n`);
    for (;;) {
      const r = await this.response(stage, ms);
      if (r.tag === tag) return r;
      if (r.tag === '+') throw new BackendError('protocol', stage, 'a continuation request nobody asked for');
      this.untagged(stage, r);
    }
  }

  async capability(): Promise<Set<string>> {
    this.capabilities = undefined;
    const reply = await this.command('CAPABILITY', ['CAPABILITY']);
    if (reply.status !== 'OK') throw new BackendError('protocol', 'CAPABILITY', `${reply.status} ${reply.text}`);
    const found = capabilitiesFrom(reply) ?? this.capabilities;
    if (!found) throw new BackendError('protocol', 'CAPABILITY', 'no capabilities in the answer');
    return found;
  }

  /** Says LOGOUT and waits briefly for the answer; never fails (the verdict is known by now). */
  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT', ['LOGOUT'], Math.min(this.limits.replyMs, LOGOUT_WAIT_MS));
    } catch {
      // A server that closes without completing LOGOUT has still answered what mattered.
    }
  }

  private untagged(stage: string, r: ImapResponse): void {
    if (r.tag !== '*') throw new BackendError('protocol', stage, `a response for another command (${r.tag})`);
    // The BYE of LOGOUT is expected; any other BYE means the server is going away.
    if (r.status === 'BYE' && stage !== 'LOGOUT') throw new BackendError('refused', stage, `BYE ${r.text}`);
    if (!r.status && /^CAPABILITY /i.test(r.text)) this.capabilities = new Set(r.text.toUpperCase().split(' ').slice(1));
  }
}
