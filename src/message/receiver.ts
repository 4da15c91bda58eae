// Builds the stored message from decoded DATA lines: collects the header
// section, parses it when it ends, and writes everything to the
// transaction's body store, counting the size against databytes.
//
// The header section ends at the first empty line, at the end of the
// message, or at the first line that is neither a header field nor a
// continuation (decision 15: such a line starts the body instead of being
// dropped as qpsmtpd does; an empty line is put in front of it so that the
// stored message still separates header and body).

import type { LineSink } from '../io/data-reader';
import { Header, isContinuation, isFieldStart, isMboxFrom } from './header';
import type { Transaction } from './transaction';

const NEWLINE = Buffer.from('\n');
/** Bytes gathered before one write to the body store. */
const FLUSH_AT = 64 * 1024;

export interface ReceiverLimits {
  /** databytes: the message may be this many bytes (0: no limit). */
  maxSize: number;
  /** The header section is held in memory up to this many bytes; beyond it, the body starts. */
  maxHeaderBytes: number;
}

export class MessageReceiver implements LineSink {
  private inHeader = true;
  private headerLines: Buffer[] = [];
  private headerBytes = 0;
  private line: Buffer[] = [];
  /**
   * What goes to the body store next, copied into one buffer that every
   * write reuses. Gathering views of the input and joining them made a new
   * 64 KiB buffer per write: garbage outside V8's heap that piles up
   * between collections (about 9 MB of the peak RSS while a 200 MB message
   * came in). The body store copies what it keeps in memory.
   */
  private readonly out = Buffer.allocUnsafeSlow(FLUSH_AT);
  private outBytes = 0;
  /** Normalized bytes the client sent (LF endings, dots removed). */
  private size = 0;
  private pauseRequested = false;
  private headerParsed = false;
  private _storeError: Error | undefined;

  constructor(
    private readonly transaction: Transaction,
    private readonly limits: ReceiverLimits,
  ) {}

  /** Set when the spool could not be written (disk full ...): the rest of the message is read and dropped. */
  get storeError(): Error | undefined {
    return this._storeError;
  }

  get tooBig(): boolean {
    return this.limits.maxSize > 0 && this.size > this.limits.maxSize;
  }

  get messageSize(): number {
    return this.size;
  }

  /** True once the header was parsed (data_headers_end is due). */
  get headerComplete(): boolean {
    return this.headerParsed;
  }

  wantsPause(): boolean {
    return this.pauseRequested;
  }

  /** Lets the reader go on after the data_headers_end pause. */
  resume(): void {
    this.pauseRequested = false;
  }

  write(bytes: Buffer): void {
    if (this.tooBig) return;
    this.size += bytes.length;
    if (!this.inHeader) {
      this.emit(bytes);
      return;
    }
    this.line.push(bytes);
    this.headerBytes += bytes.length;
    if (this.headerBytes > this.limits.maxHeaderBytes) {
      // An endless header: what we hold so far is the header, this line starts the body.
      this.endHeader(true);
      for (const part of this.line) this.emit(part);
      this.line = [];
    }
  }

  endLine(): void {
    if (this.tooBig) return;
    this.size += 1;
    if (!this.inHeader) {
      this.emit(NEWLINE);
      return;
    }
    const line = Buffer.concat([...this.line, NEWLINE]);
    this.line = [];
    this.headerBytes += 1;
    if (line.length === 1) {
      this.endHeader(false);
      this.emit(line);
      return;
    }
    const text = line.toString('latin1');
    const first = this.headerLines.length === 0;
    if (isFieldStart(text) || (!first && isContinuation(text)) || (first && isMboxFrom(text))) {
      this.headerLines.push(line);
      return;
    }
    this.endHeader(true);
    this.emit(line);
  }

  /** The terminating "." arrived: a message without an empty line has only a header. */
  finish(): void {
    if (this.inHeader && !this.tooBig) this.endHeader(false);
    this.flush();
  }

  private endHeader(insertSeparator: boolean): void {
    this.inHeader = false;
    for (const line of this.headerLines) this.emit(line);
    this.flush();
    this.transaction.header(Header.fromLines(this.headerLines));
    this.transaction.set_body_start();
    if (insertSeparator) this.emit(NEWLINE);
    this.headerLines = [];
    this.headerParsed = true;
    this.pauseRequested = true;
  }

  private emit(bytes: Buffer): void {
    for (let done = 0; done < bytes.length; ) {
      const n = bytes.copy(this.out, this.outBytes, done);
      this.outBytes += n;
      done += n;
      if (this.outBytes === FLUSH_AT) this.flush();
    }
  }

  private flush(): void {
    if (this.outBytes === 0) return;
    const chunk = this.out.subarray(0, this.outBytes);
    this.outBytes = 0;
    if (this._storeError) return;
    try {
      this.transaction.body_write(chunk);
    } catch (err) {
      this._storeError = err as Error;
    }
  }
}
