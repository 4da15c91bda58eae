// One SMTP or LMTP connection to the next hop, for the queue plugins that
// hand a message on (queue/smtp-forward, queue/lmtp): connect over TCP or a
// Unix socket, send command lines, read whole replies, and stream the
// message dot-stuffed with back-pressure. Every wait has a time limit, and
// every way the next hop can fail becomes a NextHopError that says where
// (the stage) and what (the kind and detail), so the plugin can answer its
// own client with a reply that says what went wrong.
//
// node:net is loaded when the first connection is made, not when a plugin
// imports this file: most sessions never queue a message.

import type { Socket } from 'node:net';
import { DotStuffer } from './dot-stuffer';
import { ReplyReader, type Reply } from './reply-reader';

export type { Reply } from './reply-reader';

/** Where the next hop listens: a TCP host and port, or a Unix socket path. */
export type NextHop = { host: string; port: number } | { path: string };

export interface ClientTimeouts {
  /** How long connecting may take. */
  connectMs: number;
  /** How long each reply may take, and each wait for the socket to take more of the message. */
  replyMs: number;
  /** A Date.now() time after which nothing is waited for any more (the hook's own time limit). */
  deadline?: number;
}

/**
 * connect: no connection was made; refused: the server turned the session
 * down (its greeting or EHLO), whatever the message; timeout: a limit ran
 * out; closed: the connection broke or the server closed it; protocol: the
 * server sent something that is not a valid reply, or a reply that makes
 * no sense at that point.
 */
export type FailureKind = 'connect' | 'refused' | 'timeout' | 'closed' | 'protocol';

export class NextHopError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** What we were doing: "connect", "greeting", "RCPT TO", "message" ... */
    readonly stage: string,
    /** A short reason in words ("connection refused", "no reply within 60 s"). */
    readonly detail: string,
  ) {
    super(`${stage}: ${detail}`);
    this.name = 'NextHopError';
  }
}

/** "host:port", "[v6]:port" or the socket path, for logs. */
export function describeHop(hop: NextHop): string {
  if ('path' in hop) return hop.path;
  return hop.host.includes(':') ? `[${hop.host}]:${hop.port}` : `${hop.host}:${hop.port}`;
}

// System error codes in words; anything else is shown as its code.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
};

function errnoText(err: NodeJS.ErrnoException): string {
  return (err.code && ERRNO_TEXT[err.code]) ?? err.code ?? err.message;
}

export class SmtpClient {
  private readonly reader = new ReplyReader();
  private socketError: NodeJS.ErrnoException | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeouts: ClientTimeouts,
  ) {
    socket.on('data', (data: Buffer) => {
      this.reader.push(data);
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.socketError ??= err;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Connects; the greeting is the caller's to read. */
  static connect(hop: NextHop, timeouts: ClientTimeouts): Promise<SmtpClient> {
    const net = require('node:net') as typeof import('node:net');
    return new Promise((resolve, reject) => {
      const socket = 'path' in hop ? net.connect({ path: hop.path }) : net.connect({ host: hop.host, port: hop.port });
      const limit = remaining(timeouts.connectMs, timeouts.deadline);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NextHopError('connect', 'connect', limit < timeouts.connectMs ? DEADLINE_TEXT : `timed out after ${seconds(limit)} s`));
      }, limit);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new NextHopError('connect', 'connect', errnoText(err)));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Commands are small writes that wait for an answer: Nagle's algorithm would only delay them.
        socket.setNoDelay(true);
        resolve(new SmtpClient(socket, timeouts));
      });
    });
  }

  /** The next whole reply. */
  read(stage: string): Promise<Reply> {
    return this.waitFor(stage, () => this.reader.take());
  }

  /** Writes command lines (several at once when pipelining), each ending in CRLF. */
  send(stage: string, ...lines: string[]): void {
    this.ensureOpen(stage);
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''), 'latin1');
  }

  /** Sends one command and reads its reply. */
  command(line: string, stage: string): Promise<Reply> {
    this.send(stage, line);
    return this.read(stage);
  }

  /**
   * Streams the message after a 354: dot-stuffed with CRLF line ends, then
   * the final ".". Each piece is written once the previous one has gone to
   * the kernel, so only one piece is ever in memory, and the chunks may be
   * buffers their source reuses (message-chunks.ts). When the server
   * answers before the end (it refused the message and may close), that
   * reply is returned and the rest is not sent.
   */
  async sendMessage(chunks: AsyncIterable<Buffer>, stage = 'message'): Promise<Reply | undefined> {
    const stuffer = new DotStuffer();
    for await (const chunk of chunks) {
      // A huge chunk (a message held in memory) goes in pieces, so the encoder's buffer stays small.
      for (let at = 0; at < chunk.length; at += PIECE) {
        const early = await this.write(stuffer.encode(chunk.subarray(at, at + PIECE)), stage);
        if (early) return early;
      }
    }
    return this.write(stuffer.end(), stage);
  }

  /** Writes and waits until the socket has taken the bytes (they may be reused then); a reply that arrives meanwhile is returned. */
  private async write(bytes: Buffer, stage: string): Promise<Reply | undefined> {
    const early = this.reader.take();
    if (early) return early;
    this.ensureOpen(stage);
    let written = false;
    this.socket.write(bytes, () => {
      written = true;
      this.notify();
    });
    const got = await this.waitFor(stage, () => (written ? WRITTEN : this.reader.take()), this.timeouts.replyMs, 'took no data');
    return got === WRITTEN ? undefined : got;
  }

  /** Says QUIT and waits briefly for the answer; never fails (the message is dealt with by now). */
  async quit(): Promise<void> {
    try {
      this.send('QUIT', 'QUIT');
      await this.waitFor('QUIT', () => this.reader.take(), Math.min(this.timeouts.replyMs, 2000));
    } catch {
      // A server that closes without a 221 has still answered what mattered.
    } finally {
      this.close();
    }
  }

  /** Drops the connection at once. In the middle of DATA this aborts the message: without the final "." no server delivers it. */
  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private ensureOpen(stage: string): void {
    if (this.reader.error) throw new NextHopError('protocol', stage, this.reader.error);
    if (this.socketError) throw new NextHopError('closed', stage, errnoText(this.socketError));
    if (this.closed || this.socket.destroyed) throw new NextHopError('closed', stage, 'connection closed by the next hop');
  }

  /** Waits until check() gives a value, the connection fails, or the time is up. */
  private async waitFor<T>(stage: string, check: () => T | undefined, ms = this.timeouts.replyMs, idle = 'no reply'): Promise<T> {
    const limit = remaining(ms, this.timeouts.deadline);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.notify();
    }, limit);
    try {
      for (;;) {
        const value = check();
        if (value !== undefined) return value;
        if (this.reader.error) throw new NextHopError('protocol', stage, this.reader.error);
        if (this.socketError) throw new NextHopError('closed', stage, errnoText(this.socketError));
        if (this.closed) throw new NextHopError('closed', stage, this.reader.partial ? 'connection closed in the middle of a reply' : 'connection closed by the next hop');
        if (timedOut) throw new NextHopError('timeout', stage, limit < ms ? DEADLINE_TEXT : `${idle} within ${seconds(limit)} s`);
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Why a wait ended early: the hook's own time limit (see timeouts.ts), not the plugin's timeout. */
const DEADLINE_TEXT = 'plugin_timeout reached';

/** What the wait in write() gets when the socket took the bytes without the server saying anything. */
const WRITTEN: Reply = { code: 0, lines: [] };
/** The largest piece of the message encoded and written at once. */
const PIECE = 64 * 1024;

/** The time limit for one wait: its own, or less when the deadline comes first. */
function remaining(ms: number, deadline: number | undefined): number {
  if (deadline === undefined) return ms;
  return Math.max(0, Math.min(ms, deadline - Date.now()));
}

function seconds(ms: number): string {
  return String(ms / 1000);
}
