// Where a transaction's message bytes live: in memory while the message is
// small, in a spool file once it reaches the size threshold. Positions are
// byte offsets in both cases.

import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

const READ_CHUNK = 64 * 1024;
const LF = 0x0a;

export class BodyStore {
  private chunks: Buffer[] = [];
  private joined: Buffer | undefined;
  private fd: number | undefined;
  private path: string | undefined;
  private size = 0;
  private start = 0;
  private readPos = 0;

  /**
   * @param threshold spool to disk once this many bytes are held (0: always)
   * @param newSpoolPath gives a fresh file name in the spool directory
   */
  constructor(
    private readonly threshold: number,
    private readonly newSpoolPath: () => string,
  ) {}

  get dataSize(): number {
    return this.size;
  }

  get bodyStart(): number {
    return this.start;
  }

  get isSpooled(): boolean {
    return this.fd !== undefined;
  }

  /** Appends bytes. `data` is not kept: the caller may reuse its buffer (the receiver does). */
  write(data: Buffer): void {
    if (data.length === 0) return;
    if (this.fd !== undefined) {
      writeAll(this.fd, data, this.size);
    } else {
      this.chunks.push(Buffer.from(data));
      this.joined = undefined;
    }
    this.size += data.length;
    if (this.fd === undefined && this.size >= this.threshold) this.spool();
  }

  /** Marks the current end as the start of the body (the header ends here). */
  markBodyStart(): void {
    this.start = this.size;
  }

  /** Moves the file to disk now (plugins that need a path ask for this). */
  spool(): string {
    if (this.fd === undefined) {
      const path = this.newSpoolPath();
      this.fd = openSync(path, 'wx+', 0o600);
      this.path = path;
      const held = this.memory();
      if (held.length > 0) writeAll(this.fd, held, 0);
      this.chunks = [];
      this.joined = undefined;
    }
    return this.path!;
  }

  get filename(): string | undefined {
    return this.path;
  }

  get fileDescriptor(): number | undefined {
    return this.fd;
  }

  resetPos(): void {
    this.readPos = this.start;
  }

  /** The next line from the read position (ending in "\n" unless it is the last). */
  getLine(): Buffer | undefined {
    if (this.readPos >= this.size) return undefined;
    const line = this.fd === undefined ? this.memoryLine() : this.fileLine(this.fd);
    this.readPos += line.length;
    return line;
  }

  /**
   * Bytes from `from` to the end, in chunks, without holding them all. The
   * spool is a local file of our own: reading it synchronously keeps
   * libuv's thread pool from starting for it.
   */
  *chunksFrom(from: number): Generator<Buffer> {
    if (this.fd === undefined) {
      if (from < this.size) yield this.memory().subarray(from);
      return;
    }
    for (let pos = from; pos < this.size; ) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.size - pos));
      const n = readSync(this.fd, buf, 0, buf.length, pos);
      if (n === 0) throw new Error(`spool file ${this.path} is shorter than expected`);
      pos += n;
      yield buf.subarray(0, n);
    }
  }

  /** Closes and deletes the spool file. */
  destroy(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    if (this.path !== undefined) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
      this.path = undefined;
    }
    this.chunks = [];
    this.joined = undefined;
  }

  private memory(): Buffer {
    if (this.joined === undefined) this.joined = Buffer.concat(this.chunks);
    return this.joined;
  }

  private memoryLine(): Buffer {
    const all = this.memory();
    const lf = all.indexOf(LF, this.readPos);
    return all.subarray(this.readPos, lf < 0 ? all.length : lf + 1);
  }

  private fileLine(fd: number): Buffer {
    const parts: Buffer[] = [];
    let pos = this.readPos;
    while (pos < this.size) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.size - pos));
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      const lf = buf.subarray(0, n).indexOf(LF);
      if (lf >= 0) {
        parts.push(buf.subarray(0, lf + 1));
        break;
      }
      parts.push(buf.subarray(0, n));
      pos += n;
    }
    return Buffer.concat(parts);
  }
}

function writeAll(fd: number, data: Buffer, position: number): void {
  for (let done = 0; done < data.length; ) {
    done += writeSync(fd, data, done, data.length - done, position + done);
  }
}
