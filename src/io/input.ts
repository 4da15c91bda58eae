// Client input as a byte buffer with two readers on top: command lines
// (bounded length) and the DATA decoder, which takes bytes as they come.

import type { Readable } from 'node:stream';

export const EOF = Symbol('eof');
export const TIMEOUT = Symbol('timeout');
export type InputEnd = typeof EOF | typeof TIMEOUT;

/** A command line longer than the limit: its bytes were thrown away. */
export const TOO_LONG = Symbol('too long');

const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

/** Chunks from the client; null at end of input. */
export interface ChunkSource {
  next(): Promise<Buffer | null>;
}

/** A ChunkSource reading a stream, which can be let go of (to start TLS on the socket). */
export interface StreamSource extends ChunkSource {
  /**
   * Stops reading: the listeners come off, the stream stays paused, and the
   * chunks received but not handed out yet are returned. next() gives null
   * from then on.
   */
  detach(): Buffer[];
}

/**
 * A Readable (stdin) as a ChunkSource. The stream is paused while chunks
 * wait to be read, so memory stays bounded however fast the client sends.
 */
export function streamSource(stream: Readable, onError: (err: Error) => void): StreamSource {
  const queue: Buffer[] = [];
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    stream.pause();
    wake();
  };
  const onEnd = (): void => {
    ended = true;
    wake();
  };
  const onStreamError = (err: Error): void => {
    onError(err);
    ended = true;
    wake();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onStreamError);
  return {
    detach(): Buffer[] {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onStreamError);
      stream.pause();
      ended = true;
      wake();
      return queue.splice(0);
    },
    async next(): Promise<Buffer | null> {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) return chunk;
        if (ended) return null;
        stream.resume();
        await new Promise<void>((resolve) => {
          waiter = resolve;
        });
      }
    },
  };
}

export class Input {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private ended = false;
  /** A read that timed out may still deliver later; keep it so no bytes are lost. */
  private pending: Promise<Buffer | null> | undefined;

  constructor(private readonly source: ChunkSource) {}

  /**
   * Takes the bytes received and not consumed yet out of the buffer, and
   * forgets a read still waiting on the source (STARTTLS: what the client
   * sent before the handshake must never be read as commands).
   */
  takeBuffered(): Buffer {
    const rest = Buffer.from(this.available());
    this.buf = EMPTY;
    this.pos = 0;
    this.pending = undefined;
    return rest;
  }

  /** The bytes received and not consumed yet. */
  available(): Buffer {
    return this.buf.subarray(this.pos);
  }

  consume(n: number): void {
    this.pos += n;
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  /** Waits for more bytes: true when some arrived, EOF at the end, TIMEOUT after `timeoutMs` (0: wait forever). */
  async fill(timeoutMs: number): Promise<true | InputEnd> {
    if (this.ended) return EOF;
    this.pending ??= this.source.next();
    const chunk = await withTimeout(this.pending, timeoutMs);
    if (chunk === TIMEOUT) return TIMEOUT;
    this.pending = undefined;
    if (chunk === null) {
      this.ended = true;
      return EOF;
    }
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.pos = 0;
    return true;
  }

  /**
   * Whether the client has sent bytes not read yet, waiting up to
   * `timeoutMs` (at least 1 ms) for some to arrive. Nothing is consumed: the
   * bytes are still there for the next read (earlytalker looks before the
   * greeting). The end of input counts as no bytes.
   */
  async waitForData(timeoutMs: number): Promise<boolean> {
    if (this.available().length > 0) return true;
    if (this.ended) return false;
    this.pending ??= this.source.next();
    if ((await withTimeout(this.pending, Math.max(1, timeoutMs))) === TIMEOUT) return false;
    return (await this.fill(0)) === true;
  }

  /**
   * The next command line without its line ending (one trailing CRLF or LF
   * is removed). A line longer than `maxLength` bytes is discarded as it
   * arrives and reported as TOO_LONG once its end is seen. A last line
   * without a line ending is returned at end of input.
   */
  async readLine(maxLength: number, timeoutMs: number): Promise<Buffer | typeof TOO_LONG | InputEnd> {
    let discarding = false;
    for (;;) {
      const rest = this.available();
      const lf = rest.indexOf(LF);
      if (lf >= 0) {
        this.consume(lf + 1);
        if (discarding) return TOO_LONG;
        const end = lf > 0 && rest[lf - 1] === 0x0d ? lf - 1 : lf;
        return end > maxLength ? TOO_LONG : rest.subarray(0, end);
      }
      if (rest.length > maxLength + 1) {
        // No line end in sight and already too long: drop what we hold.
        discarding = true;
        this.consume(rest.length);
      }
      const got = await this.fill(timeoutMs);
      if (got === TIMEOUT) return TIMEOUT;
      if (got === EOF) {
        const tail = this.available();
        if (discarding) return TOO_LONG;
        if (tail.length === 0) return EOF;
        this.consume(tail.length);
        const end = tail[tail.length - 1] === 0x0d ? tail.length - 1 : tail.length;
        return end > maxLength ? TOO_LONG : tail.subarray(0, end);
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  if (ms <= 0) return promise;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(TIMEOUT), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
