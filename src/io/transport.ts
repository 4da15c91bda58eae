// The client connection on fds 0 and 1, in the cheapest form that is safe:
//
// - A regular file on stdin (a CI transcript) is read, and replies to a
//   file or character device (/dev/null, a terminal) are written, with
//   plain synchronous calls: neither can block for long, and both cost next
//   to nothing (no stream objects, no thread-pool round trips).
// - A socket (tcpserver, xinetd) goes through Node's own stdin and stdout
//   streams: a read or write on it can block indefinitely, which would tie
//   up a thread that process.exit then waits for.
// - A pipe (a CI pipeline) is opened again without blocking (/dev/stdin,
//   /dev/stdout): what is already in it is read, and replies are written,
//   synchronously; only when the pipe would block does Node's stream take
//   over. A transcript piped in all at once never needs the stream.

import { type Stats, closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { SocketAddresses } from '../connection/peer';
import { type ChunkSource, streamSource } from './input';
import { type Output, StreamOutput } from './output';
import { TlsLink } from './tls';

const READ_SIZE = 64 * 1024;
let sharedReadBuffer: Buffer | undefined;

/**
 * One read buffer for the synchronous readers; each chunk is copied out at
 * its real size. A fresh 64 KiB buffer per read made V8 collect garbage in
 * sessions of a few hundred bytes.
 */
function readBuffer(): Buffer {
  sharedReadBuffer ??= Buffer.allocUnsafe(READ_SIZE);
  return sharedReadBuffer;
}

export interface Transport {
  source: ChunkSource;
  output: Output;
  /** The socket's addresses when stdin is a socket (inetd/xinetd, tcpserver). */
  socket?: SocketAddresses;
  /** The switch to TLS, when fds 0 and 1 are one socket (STARTTLS, SMTPS). */
  tls?: TlsLink;
}

export interface TransportEvents {
  onReadError(err: Error): void;
  onLost(err: Error): void;
}

export function openTransport(events: TransportEvents): Transport {
  const stdin = statFd(0);
  const stdout = statFd(1);
  if (stdin?.isSocket() && stdout?.isSocket() && stdin.ino === stdout.ino && stdin.dev === stdout.dev) {
    return socketTransport(events);
  }
  const stream = (): ChunkSource => streamSource(process.stdin, events.onReadError);
  const source = stdin?.isFile()
    ? fileSource(0, events.onReadError)
    : stdin?.isFIFO()
      ? pipeSource(events.onReadError, stream)
      : stream();
  const blockingOut = stdout !== undefined && (stdout.isFile() || stdout.isCharacterDevice());
  const output = blockingOut
    ? new FdOutput(1, events.onLost)
    : stdout?.isFIFO()
      ? new PipeOutput(events.onLost)
      : new StreamOutput(process.stdout, events.onLost);
  const socket = stdin?.isSocket() ? (process.stdin as unknown as Socket) : undefined;
  return { source, output, socket };
}

/**
 * tcpserver and xinetd give the same socket as fd 0 and fd 1: one duplex
 * socket serves both ways (cheaper than Node's separate stdin and stdout).
 * allowHalfOpen: a client that shuts down its side after sending its
 * commands still gets every reply. Only this socket can switch to TLS.
 */
function socketTransport(events: TransportEvents): Transport {
  const { Socket } = require('node:net') as typeof import('node:net');
  const socket = new Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true });
  const tls = new TlsLink(socket, events);
  return { source: tls.source, output: tls.output, socket, tls };
}

function statFd(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/** Chunks of a regular file, read from its current offset. */
export function fileSource(fd: number, onError: (err: Error) => void): ChunkSource {
  let ended = false;
  return {
    next: async () => {
      if (ended) return null;
      const buf = readBuffer();
      let n = 0;
      try {
        n = readSync(fd, buf, 0, READ_SIZE, null);
      } catch (err) {
        onError(err as Error);
      }
      if (n === 0) {
        ended = true;
        return null;
      }
      return Buffer.from(buf.subarray(0, n));
    },
  };
}

/** Opens /dev/stdin or /dev/stdout again, non-blocking; undefined when that is not possible. */
function reopenNonBlocking(path: string, flags: number): number | undefined {
  try {
    return openSync(path, flags | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}

/** A pipe on stdin: read without waiting while data is there, else through the stream. */
export function pipeSource(onError: (err: Error) => void, stream: () => ChunkSource): ChunkSource {
  const fd = reopenNonBlocking('/dev/stdin', constants.O_RDONLY);
  let fallback: ChunkSource | undefined = fd === undefined ? stream() : undefined;
  let ended = false;
  return {
    next: async () => {
      if (fallback) return fallback.next();
      if (ended) return null;
      const buf = readBuffer();
      let n: number;
      try {
        n = readSync(fd!, buf, 0, READ_SIZE, null);
      } catch (err) {
        closeSync(fd!);
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
          onError(err as Error);
          ended = true;
          return null;
        }
        // The pipe is empty for now: wait on the event loop from here on.
        fallback = stream();
        return fallback.next();
      }
      if (n > 0) return Buffer.from(buf.subarray(0, n));
      closeSync(fd!);
      ended = true;
      return null;
    },
  };
}

/** A pipe on stdout: written synchronously until it is full, then through the stream. */
export class PipeOutput implements Output {
  private fd: number | undefined = reopenNonBlocking('/dev/stdout', constants.O_WRONLY);
  private stream: StreamOutput | undefined;
  private lost = false;

  constructor(private readonly onLost: (err: Error) => void) {
    if (this.fd === undefined) this.stream = new StreamOutput(process.stdout, onLost);
  }

  get connected(): boolean {
    return !this.lost && (this.stream?.connected ?? true);
  }

  async write(text: string): Promise<void> {
    if (this.lost) return;
    if (this.stream) return this.stream.write(text);
    const data = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < data.length) done += writeSync(this.fd!, data, done, data.length - done);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.lost = true;
        this.onLost(err as Error);
        return;
      }
    }
    // The reader is behind: hand the rest, and everything after, to the stream (it waits without blocking).
    closeSync(this.fd!);
    this.fd = undefined;
    this.stream = new StreamOutput(process.stdout, this.onLost);
    return this.stream.write(data.subarray(done));
  }
}

/** Writes to a regular file or character device (a CI run capturing replies, /dev/null, a terminal). */
export class FdOutput implements Output {
  private lost = false;

  constructor(
    private readonly fd: number,
    private readonly onLost: (err: Error) => void,
  ) {}

  get connected(): boolean {
    return !this.lost;
  }

  async write(text: string): Promise<void> {
    if (this.lost) return;
    const data = Buffer.from(text, 'utf8');
    try {
      for (let done = 0; done < data.length; ) done += writeSync(this.fd, data, done, data.length - done);
    } catch (err) {
      this.lost = true;
      this.onLost(err as Error);
    }
  }
}
