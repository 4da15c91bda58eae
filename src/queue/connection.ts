// A stream connection to a next hop (a TCP port or a Unix socket), for the
// queue plugins that talk to a server: connect with a time limit, write
// with back-pressure, wait for an answer. Every step has a time limit, and
// the hook's deadline ends every wait (timeouts.ts). Whatever the peer
// sends is collected from the first moment on, so an answer that arrives
// early (a server refusing before it read the whole message, then closing)
// is still there to be read after a write that could not go on.
//
// Every way the next hop can fail becomes a NextHopError that says where
// (the stage) and what (the kind and detail), in a text fit for the reply.
//
// node:net is loaded on first use: most sessions never queue anything.

import type { Socket } from 'node:net';
import { errnoText } from './failure';
import { Waiter, lateText, waitLimit, type Limits } from './timeouts';

/** Where the next hop listens: a TCP host and port, or a Unix socket path. */
export type NextHop = { host: string; port: number } | { path: string };

/**
 * connect: no connection was made; refused: the server turned the session
 * down (an SMTP greeting or EHLO), whatever the message; timeout: a limit
 * ran out; closed: the connection broke or the peer closed it; protocol:
 * the peer sent something that makes no sense at that point.
 */
export type FailureKind = 'connect' | 'refused' | 'timeout' | 'closed' | 'protocol';

export class NextHopError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** "host:port", "[v6]:port" or the socket path. */
    readonly peer: string,
    /** What we were doing: "greeting", "RCPT TO", "message", "end of message" ... */
    readonly stage: string,
    /** A short reason in words: "connection refused", "no reply within 60 s". */
    readonly detail: string,
  ) {
    super(failureText(kind, peer, stage, detail));
    this.name = 'NextHopError';
  }
}

/** The text of a NextHopError, the "what went wrong" of the plugins' replies. */
function failureText(kind: FailureKind, peer: string, stage: string, detail: string): string {
  switch (kind) {
    case 'connect':
      return `cannot connect to ${peer}: ${detail}`;
    case 'refused':
      return `${peer} refused the session at ${stage}: ${detail}`;
    case 'timeout':
      return `${peer} timed out at ${stage}: ${detail}`;
    case 'closed':
      return detail ? `connection to ${peer} failed at ${stage}: ${detail}` : `${peer} closed the connection at ${stage}`;
    case 'protocol':
      return `protocol error from ${peer} at ${stage}: ${detail}`;
  }
}

/** "host:port", "[v6]:port" or the socket path. */
export function describeHop(hop: NextHop): string {
  if ('path' in hop) return hop.path;
  return hop.host.includes(':') ? `[${hop.host}]:${hop.port}` : `${hop.host}:${hop.port}`;
}

/** Answers are short; a peer that sends more than this without it being read is not speaking the protocol. */
const MAX_UNREAD = 1024 * 1024;

export class Connection {
  private chunks: Buffer[] = [];
  private unread = 0;
  private ended = false;
  private failure: NextHopError | NodeJS.ErrnoException | undefined;
  private readonly waiter = new Waiter();

  private constructor(
    private readonly socket: Socket,
    /** "host:port" or the socket path, for texts. */
    readonly name: string,
    private readonly limits: Limits,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.unread += chunk.length;
      if (this.unread > MAX_UNREAD) {
        this.failure ??= new NextHopError('protocol', name, 'reading', `more than ${MAX_UNREAD} bytes unread`);
        socket.destroy();
      } else {
        this.chunks.push(chunk);
      }
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.failure ??= err;
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    socket.on('end', end);
    socket.on('close', end);
  }

  /** Connects, or throws a NextHopError of kind "connect" (refused, unreachable, timed out). */
  static open(hop: NextHop, limits: Limits): Promise<Connection> {
    const net = require('node:net') as typeof import('node:net');
    const name = describeHop(hop);
    return new Promise((resolve, reject) => {
      const socket = net.connect(hop);
      const wait = waitLimit(limits.connectMs ?? limits.timeoutMs, limits.deadline);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NextHopError('connect', name, 'connect', lateText('no connection', wait)));
      }, wait.ms);
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new NextHopError('connect', name, 'connect', errnoText(err)));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Commands are small writes that wait for an answer: Nagle's algorithm would only delay them.
        socket.setNoDelay(true);
        resolve(new Connection(socket, name, limits));
      });
    });
  }

  /**
   * Connects to the first of `hops` that takes the connection, in order;
   * each failure goes to `failed`. Undefined when none did.
   */
  static async openFirst(hops: NextHop[], limits: Limits, failed: (err: NextHopError) => void): Promise<Connection | undefined> {
    for (const hop of hops) {
      try {
        return await Connection.open(hop, limits);
      } catch (err) {
        failed(err as NextHopError);
      }
    }
    return undefined;
  }

  /** Everything the peer sent and the caller has not consumed. */
  received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? EMPTY;
  }

  /** Replaces what was received with its unread rest (after a parsed answer). */
  consume(rest: Buffer = EMPTY): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.unread = rest.length;
  }

  /** Writes small data without waiting (command lines; Node keeps them until the socket takes them). */
  send(data: Buffer | string, stage: string): void {
    this.check(stage);
    this.socket.write(data);
  }

  /**
   * Writes bytes and waits (up to the time limit) until the socket took
   * them, so the caller may reuse the buffer. Returns false when the peer
   * said something first (a server that refuses early may close before it
   * reads the rest): read that, and write no more.
   */
  async write(data: Buffer, stage: string): Promise<boolean> {
    // Let the event loop poll first: a peer that answers early and closes is
    // noticed here, before a write runs into its reset, which makes Node
    // destroy the socket and the unread answer with it. A write callback
    // runs before the poll phase of the loop and setImmediate() after it,
    // hence this turn. (Not airtight: an answer that arrives during a write
    // can still be lost; the caller then reports a broken connection.)
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.chunks.length > 0) return false;
    this.check(stage);
    let written = false;
    this.socket.write(data, (err) => {
      if (err) this.failure ??= err;
      written = true;
      this.notify();
    });
    await this.waitFor(stage, () => written || this.chunks.length > 0, 'took no data');
    return written;
  }

  /**
   * Waits until parse() finds a whole answer in what was received and
   * returns it; parse() returns undefined while the answer is incomplete,
   * and may throw a NextHopError for nonsense. `ms` shortens the time limit.
   */
  async read<T>(stage: string, parse: (data: Buffer) => T | undefined, ms = this.limits.timeoutMs): Promise<T> {
    let result: T | undefined;
    await this.waitFor(stage, () => (result = parse(this.received())) !== undefined, 'no reply', Math.min(ms, this.limits.timeoutMs));
    return result as T;
  }

  /** Closes the connection at once (nothing more is sent or read). */
  close(): void {
    this.socket.destroy();
  }

  private check(stage: string): void {
    if (this.failure instanceof NextHopError) throw this.failure;
    if (this.failure) throw new NextHopError('closed', this.name, stage, errnoText(this.failure));
    if (this.ended || this.socket.destroyed) throw new NextHopError('closed', this.name, stage, '');
  }

  /** Waits until done(), the connection fails or ends, or the time is up. */
  private async waitFor(stage: string, done: () => boolean, idle: string, ms = this.limits.timeoutMs): Promise<void> {
    const wait = waitLimit(ms, this.limits.deadline);
    if (!(await this.waiter.until(done, wait, () => this.check(stage)))) {
      throw new NextHopError('timeout', this.name, stage, lateText(idle, wait));
    }
  }

  private notify(): void {
    this.waiter.notify();
  }
}

const EMPTY = Buffer.alloc(0);
