// One TCP connection to a password backend (an IMAP or LDAP server), in
// the clear or TLS (from the start, or upgraded in place after STARTTLS).
// The protocol code reads what arrived with buffered()/consume() inside
// waitFor(), which ends every wait with a BackendError when the server
// fails, closes, or says nothing in time. Every wait has a limit: the
// backend's own timeout, cut short by the hook's deadline.
//
// node:net and node:tls are loaded on the first connection, not when a
// plugin imports this file: most sessions never authenticate.

import type { Socket } from 'node:net';
import { errnoText } from '../util/errno-text';
import { BackendError } from './backend-error';

export interface BackendLimits {
  /** How long connecting (and a TLS handshake) may take. */
  connectMs: number;
  /** How long each answer may take. */
  replyMs: number;
  /** A Date.now() time after which nothing is waited for any more (the hook's own time limit). */
  deadline?: number;
}

export interface TlsSettings {
  /** PEM certificates of the CAs to trust instead of the system's (a private CA). */
  ca?: Buffer;
}

/** Far more than any answer we wait for; a server that sends more without finishing one is broken. */
export const MAX_PENDING = 256 * 1024;

/** Why a wait ended early: the hook's own time limit, not the backend's timeout. */
const DEADLINE_TEXT = 'plugin_timeout reached';

export class BackendSocket {
  private pending: Buffer = Buffer.alloc(0);
  private failure: NodeJS.ErrnoException | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(
    private socket: Socket,
    private readonly host: string,
    private readonly limits: BackendLimits,
  ) {
    this.attach(socket);
  }

  /** Connects over TCP; with `tls`, the TLS handshake follows at once (IMAPS, LDAPS). */
  static async connect(host: string, port: number, limits: BackendLimits, tls?: TlsSettings): Promise<BackendSocket> {
    const net = require('node:net') as typeof import('node:net');
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const limit = remaining(limits.connectMs, limits.deadline);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new BackendError('connect', 'connect', limit < limits.connectMs ? DEADLINE_TEXT : `timed out after ${seconds(limit)} s`));
      }, limit);
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        s.destroy();
        reject(new BackendError('connect', 'connect', errnoText(err)));
      });
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        // Commands are small writes that wait for an answer: Nagle's algorithm would only delay them.
        s.setNoDelay(true);
        resolve(s);
      });
    });
    const client = new BackendSocket(socket, host, limits);
    if (tls) {
      try {
        await client.startTls('TLS handshake', tls);
      } catch (err) {
        client.close();
        throw err;
      }
    }
    return client;
  }

  /** The bytes received and not consumed yet. */
  buffered(): Buffer {
    return this.pending;
  }

  /** Drops the first n received bytes (they were understood). */
  consume(n: number): void {
    this.pending = this.pending.subarray(n);
  }

  write(stage: string, bytes: Buffer | string): void {
    this.ensureOpen(stage);
    this.socket.write(bytes);
  }

  /**
   * Upgrades the connection to TLS in place (after the server agreed to
   * STARTTLS). The certificate must be valid for the host we connected to;
   * anything the server sent in the clear after agreeing is an attack on
   * the session (the STARTTLS injection class) and fails it.
   */
  async startTls(stage: string, settings: TlsSettings): Promise<void> {
    if (this.pending.length > 0) throw new BackendError('protocol', stage, 'data sent in the clear before the TLS handshake');
    const tls = require('node:tls') as typeof import('node:tls');
    const net = require('node:net') as typeof import('node:net');
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('error');
    raw.removeAllListeners('close');
    let secured = false;
    const secure = tls.connect({
      socket: raw,
      host: this.host,
      // SNI takes names only (RFC 6066); the certificate is checked against the host either way.
      servername: net.isIP(this.host) ? undefined : this.host,
      ca: settings.ca,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    });
    secure.once('secureConnect', () => {
      secured = true;
      this.notify();
    });
    this.socket = secure;
    this.attach(secure);
    try {
      await this.waitFor(stage, () => (secured ? true : undefined), this.limits.connectMs, 'no TLS handshake');
    } catch (err) {
      if (err instanceof BackendError && err.kind === 'closed') throw new BackendError('tls', stage, this.failure?.message ?? err.detail);
      throw err;
    }
  }

  /**
   * The next whole message of a protocol: `take` finds one at the start of
   * what arrived (undefined: not complete yet) and may throw
   * `protocolError` for bytes that cannot be one, which ends the wait as a
   * protocol failure.
   */
  nextMessage<T>(
    stage: string,
    take: (data: Buffer) => { length: number; response: T } | undefined,
    protocolError: abstract new (...args: never[]) => Error,
    ms?: number,
  ): Promise<T> {
    return this.waitFor(
      stage,
      () => {
        try {
          const got = take(this.pending);
          if (!got) return undefined;
          this.consume(got.length);
          return got.response;
        } catch (err) {
          if (err instanceof protocolError) throw new BackendError('protocol', stage, err.message);
          throw err;
        }
      },
      ms,
    );
  }

  /**
   * Waits until take() gives a value (it looks at buffered() and consumes
   * what it understood), the connection fails, or the time is up.
   */
  async waitFor<T>(stage: string, take: () => T | undefined, ms = this.limits.replyMs, idle = 'no reply'): Promise<T> {
    const limit = remaining(ms, this.limits.deadline);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.notify();
    }, limit);
    try {
      for (;;) {
        const value = take();
        if (value !== undefined) return value;
        if (this.pending.length > MAX_PENDING) throw new BackendError('protocol', stage, `more than ${MAX_PENDING} bytes without a complete answer`);
        if (this.failure) throw new BackendError('closed', stage, errnoText(this.failure));
        if (this.closed) throw new BackendError('closed', stage, 'connection closed by the server');
        if (timedOut) throw new BackendError('timeout', stage, limit < ms ? DEADLINE_TEXT : `${idle} within ${seconds(limit)} s`);
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket): void {
    socket.on('data', (data: Buffer) => {
      this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.failure ??= err;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private ensureOpen(stage: string): void {
    if (this.failure) throw new BackendError('closed', stage, errnoText(this.failure));
    if (this.closed || this.socket.destroyed) throw new BackendError('closed', stage, 'connection closed by the server');
  }
}

/** The time limit for one wait: its own, or less when the deadline comes first. */
function remaining(ms: number, deadline: number | undefined): number {
  if (deadline === undefined) return ms;
  return Math.max(0, Math.min(ms, deadline - Date.now()));
}

function seconds(ms: number): string {
  return String(ms / 1000);
}
