// One mail transaction (MAIL to the end of DATA or RSET): envelope, header,
// body and notes. Its spool file and the temporary files plugins asked for
// are deleted when the transaction ends.

import { mkdirSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Address } from '../address/address';
import { BodyStore } from './body';
import { Header } from './header';
import type { TransactionNotes } from '../api/notes';

export interface SpoolAccess {
  /** Bytes kept in memory before the body moves to a spool file. */
  sizeThreshold(): number;
  /** A fresh, unused path in the spool directory. */
  tempPath(): string;
}

export class Transaction {
  /** Unix time (seconds) when the transaction began. */
  readonly started = Math.floor(Date.now() / 1000);
  private _sender: Address | undefined;
  private _recipients: Address[] = [];
  private _header: Header | undefined;
  private readonly _notes: Record<string, unknown> = {};
  private readonly body: BodyStore;
  private readonly tempFiles: string[] = [];
  private readonly tempDirs: string[] = [];

  constructor(private readonly spool: SpoolAccess) {
    this.body = new BodyStore(spool.sizeThreshold(), () => spool.tempPath());
  }

  sender(address?: Address): Address | undefined {
    if (address !== undefined) this._sender = address;
    return this._sender;
  }

  /** The recipients in order (duplicates are kept); with a list, replaces them. */
  recipients(list?: Address[]): Address[] {
    if (list !== undefined) this._recipients = [...list];
    return this._recipients;
  }

  add_recipient(address: Address | undefined): void {
    if (address) this._recipients.push(address);
  }

  /** Removes every recipient whose address() equals the given one's. */
  remove_recipient(address: Address): void {
    const target = address.address();
    this._recipients = this._recipients.filter((r) => r.address() !== target);
  }

  header(header?: Header): Header | undefined {
    if (header !== undefined) this._header = header;
    return this._header;
  }

  notes<K extends keyof TransactionNotes>(key: K, value?: TransactionNotes[K]): TransactionNotes[K];
  // Any other key: untyped. (A known key never falls through to here, so its type is enforced.)
  notes<K extends string>(key: K extends keyof TransactionNotes ? never : K, value?: unknown): any;
  notes(key: string, value?: unknown): any {
    if (arguments.length > 1) this._notes[key] = value;
    return this._notes[key];
  }

  /** Appends message bytes (strings are written as UTF-8). */
  body_write(data: string | Buffer): void {
    this.body.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** Records that the header ends here: the body starts at the current size. */
  set_body_start(): void {
    this.body.markBodyStart();
  }

  /** Byte offset of the body (the blank separator line) in the stored message. */
  body_start(): number {
    return this.body.bodyStart;
  }

  /** Bytes stored: header and body, with LF line endings and dots un-stuffed. */
  data_size(): number {
    return this.body.dataSize;
  }

  /** Deprecated name of data_size(), kept for old plugins. */
  body_size(): number {
    return this.body.dataSize;
  }

  /** Bytes of the body; 0 when the message had no header, as in qpsmtpd. */
  body_length(): number {
    const start = this.body.bodyStart;
    if (start === 0 || this.body.dataSize === 0) return 0;
    return this.body.dataSize - start;
  }

  /** Goes back to the start of the body (its first line is the blank separator). */
  body_resetpos(): void {
    this.body.resetPos();
  }

  /** The next body line as bytes ("\n" endings), or undefined at the end. */
  body_getline(): Buffer | undefined {
    return this.body.getLine();
  }

  /** The whole body as text. */
  body_as_string(): string {
    this.body.resetPos();
    const lines: Buffer[] = [];
    for (let line = this.body.getLine(); line; line = this.body.getLine()) lines.push(line);
    return Buffer.concat(lines).toString('utf8');
  }

  /** The spool file's path (moves the message to disk first if it was in memory). */
  body_filename(): string {
    return this.body.spool();
  }

  /** The spool file descriptor, or undefined while the message is in memory. */
  body_fh(): number | undefined {
    return this.body.fileDescriptor;
  }

  /** The message as delivered, in chunks: the current header, then the body. */
  async *message_chunks(): AsyncGenerator<Buffer> {
    yield (this._header ?? new Header()).as_buffer();
    yield* this.body.chunksFrom(this.body.bodyStart);
  }

  /** The message as delivered, as a Readable stream (for piping into sockets and child processes). */
  message_stream(): Readable {
    // Loaded on demand: the stream module costs start-up time that most sessions never need.
    const { Readable } = require('node:stream') as typeof import('node:stream');
    return Readable.from(this.message_chunks(), { objectMode: false });
  }

  /** A new file name in the spool directory, deleted when the transaction ends. */
  temp_file(): string {
    const path = this.spool.tempPath();
    this.tempFiles.push(path);
    return path;
  }

  /** A new directory in the spool directory, deleted (with its contents) when the transaction ends. */
  temp_dir(mode = 0o700): string {
    const path = this.spool.tempPath();
    mkdirSync(path, { mode });
    this.tempDirs.push(path);
    return path;
  }

  /** Releases the spool file and temporary files. */
  destroy(): void {
    this.body.destroy();
    for (const path of [...this.tempFiles, ...this.tempDirs]) {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch {
        // best effort: the spool directory is private to us
      }
    }
    this.tempFiles.length = 0;
    this.tempDirs.length = 0;
  }
}
