// A stream connection to a next hop (a TCP port or a Unix socket) where
// every step has a time limit: connecting, each write (until the socket
// took it, so the caller may reuse its buffer), and each wait for an
// answer; and the hook's deadline ends every wait. Whatever the peer
// sends is collected from the first moment on, so an answer that arrives
// early (a server refusing before it read the whole message, then closing)
// is still there to be read after a failed write.
//
// node:net is loaded on first use: most sessions never queue anything.

import type { Socket } from 'node:net';
import { DEADLINE_TEXT, seconds, waitLimit, type Limits } from './limits';

export type { Limits } from './limits';

export type ConnectTarget = { host: string; port: number } | { path: string };

/** Why talking to the next hop failed; `message` is written for the SMTP client and the log. */
export class NextHopError extends Error {
  constructor(
    readonly kind: 'connect' | 'timeout' | 'lost' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

/** "host:port", "[v6]:port" or the socket path. */
export function describeTarget(target: ConnectTarget): string {
  if ('path' in target) return target.path;
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** An error's code (ECONNREFUSED ...) or message, for a reply text. */
export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(err);
}

/** Answers are short; a peer that sends more than this is not speaking the protocol. */
const MAX_RECEIVED = 1024 * 1024;

export class StreamConnection {
  private chunks: Buffer[] = [];
  private receivedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly name: string,
    private readonly limits: Limits,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.receivedBytes += chunk.length;
      if (this.receivedBytes > MAX_RECEIVED) {
        this.failure ??= new NextHopError('protocol', `${name} sent more than ${MAX_RECEIVED} bytes`);
        socket.destroy();
      } else {
        this.chunks.push(chunk);
      }
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.failure ??= err;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('drain', () => this.notify());
  }

  /** Connects, or throws a NextHopError of kind "connect" (refused, unreachable, timed out). */
  static open(target: ConnectTarget, limits: Limits): Promise<StreamConnection> {
    const net = require('node:net') as typeof import('node:net');
    const name = describeTarget(target);
    return new Promise((resolve, reject) => {
      const socket = net.connect(target);
      const wait = waitLimit(limits);
      const timer = setTimeout(() => {
        socket.destroy();
        const why = wait.byDeadline ? DEADLINE_TEXT : `no answer within ${seconds(limits.timeoutMs)}`;
        reject(new NextHopError('connect', `cannot connect to ${name}: ${why}`));
      }, wait.ms);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(new NextHopError('connect', `cannot connect to ${name}: ${errorText(err)}`));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new StreamConnection(socket, name, limits));
      });
    });
  }

  /** Everything the peer sent so far. */
  received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Replaces what was received with its unread rest (after a parsed answer). */
  consume(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
  }

  /**
   * Writes bytes and waits (up to the time limit) until the socket took
   * them, so the caller may reuse the buffer. Throws a NextHopError of kind
   * "lost" when the peer closed, failed or already answered (read that
   * answer with read()).
   */
  async write(data: Buffer, what: string): Promise<void> {
    // Let the event loop poll first: a peer that answers early and closes (a
    // refusal before it read everything) is noticed here, before a write
    // runs into its reset, which makes Node destroy the socket and the
    // unread answer with it. A write callback runs before the poll phase of
    // the loop and setImmediate() after it, hence this turn. (Not airtight:
    // an answer that arrives during a write can still be lost; the caller
    // then reports a lost connection.)
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failure) throw new NextHopError('lost', `connection to ${this.name} lost while ${what} (${errorText(this.failure)})`);
    if (this.chunks.length > 0) throw new NextHopError('lost', `${this.name} answered while ${what}`);
    if (this.ended || this.socket.destroyed || !this.socket.writable) {
      throw new NextHopError('lost', `connection to ${this.name} closed while ${what}`);
    }
    let written = false;
    this.socket.write(data, (err) => {
      if (err) this.failure ??= err;
      written = true;
      this.notify();
    });
    await this.waitFor(what, () => written && !this.failure, 'lost');
  }

  /**
   * Waits until parse() finds a whole answer in what was received and
   * returns it. parse() returns undefined while the answer is incomplete.
   */
  async read<T>(what: string, parse: (data: Buffer) => T | undefined): Promise<T> {
    let result: T | undefined;
    await this.waitFor(what, () => (result = parse(this.received())) !== undefined, 'protocol');
    return result as T;
  }

  /** Closes the connection at once (nothing more is sent or read). */
  close(): void {
    this.socket.destroy();
  }

  /** Half-closes: tells the peer nothing more comes. */
  end(): void {
    this.socket.end();
  }

  private async waitFor(what: string, done: () => boolean, endKind: 'lost' | 'protocol'): Promise<void> {
    const wait = waitLimit(this.limits);
    const deadline = setTimeout(() => {
      const why = wait.byDeadline ? DEADLINE_TEXT : `timed out after ${seconds(this.limits.timeoutMs)}`;
      this.failure ??= new NextHopError('timeout', `${this.name} ${why} ${what}`);
      this.notify();
    }, wait.ms);
    try {
      for (;;) {
        if (done()) return;
        if (this.failure instanceof NextHopError) throw this.failure;
        if (this.failure) throw new NextHopError('lost', `connection to ${this.name} lost while ${what} (${errorText(this.failure)})`);
        if (endKind === 'lost' && this.chunks.length > 0) throw new NextHopError('lost', `${this.name} answered while ${what}`);
        if (this.ended || this.socket.destroyed) {
          const how = endKind === 'lost' ? 'lost' : 'closed';
          throw new NextHopError(endKind, `connection to ${this.name} ${how} while ${what}`);
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  private notify(): void {
    this.wake?.();
  }
}
