// The client connection on fds 0 and 1, in the cheapest form that is safe:
//
// - A regular file on stdin (a CI transcript) is read with fs.read, and
//   replies to a file or character device (/dev/null, a terminal) are
//   written with fs.write: neither can block for long, and both cost next
//   to nothing to set up.
// - A socket (tcpserver, xinetd) or pipe goes through Node's own stdin and
//   stdout streams: a read or write on them can block indefinitely, which
//   would tie up a thread that process.exit then waits for.

import { type Stats, fstatSync, read, write } from 'node:fs';
import type { Socket } from 'node:net';
import type { SocketAddresses } from '../connection/peer';
import { type ChunkSource, streamSource } from './input';
import { type Output, StreamOutput } from './output';

const READ_SIZE = 64 * 1024;

export interface Transport {
  source: ChunkSource;
  output: Output;
  /** The socket's addresses when stdin is a socket (inetd/xinetd, tcpserver). */
  socket?: SocketAddresses;
}

export interface TransportEvents {
  onReadError(err: Error): void;
  onLost(err: Error): void;
}

export function openTransport(events: TransportEvents): Transport {
  const stdin = statFd(0);
  const stdout = statFd(1);
  const source = stdin?.isFile() ? fileSource(0, events.onReadError) : streamSource(process.stdin, events.onReadError);
  const blockingOut = stdout !== undefined && (stdout.isFile() || stdout.isCharacterDevice());
  const output = blockingOut ? new FdOutput(1, events.onLost) : new StreamOutput(process.stdout, events.onLost);
  const socket = stdin?.isSocket() ? (process.stdin as unknown as Socket) : undefined;
  return { source, output, socket };
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
    next: () =>
      new Promise((resolve) => {
        if (ended) {
          resolve(null);
          return;
        }
        const buf = Buffer.allocUnsafe(READ_SIZE);
        read(fd, buf, 0, READ_SIZE, null, (err, n) => {
          if (err) onError(err);
          if (err || n === 0) {
            ended = true;
            resolve(null);
          } else {
            resolve(buf.subarray(0, n));
          }
        });
      }),
  };
}

/** Writes to a regular file (a CI run capturing replies), in order. */
export class FdOutput implements Output {
  private lost = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly fd: number,
    private readonly onLost: (err: Error) => void,
  ) {}

  get connected(): boolean {
    return !this.lost;
  }

  write(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    this.tail = this.tail.then(() => this.writeAll(data, 0));
    return this.tail;
  }

  private writeAll(data: Buffer, offset: number): Promise<void> {
    if (this.lost || offset >= data.length) return Promise.resolve();
    return new Promise((resolve) => {
      write(this.fd, data, offset, data.length - offset, null, (err, n) => {
        if (err) {
          this.lost = true;
          this.onLost(err);
          resolve();
          return;
        }
        resolve(this.writeAll(data, offset + n));
      });
    });
  }
}
