// The DATA decoder: turns the client's bytes into message lines as they
// arrive, without holding a whole line or message in memory.
//
// - The message ends only at <CRLF>.<CRLF> (decision 10): a "." line that
//   follows a bare LF is message data, so SMTP smuggling cannot split it.
// - A "." line ending in a bare LF is qpsmtpd's "bare LF" error (421).
// - One leading dot is removed from lines that start with "..".
// - CRLF becomes LF; a bare LF stays; a CR inside a line stays.

import { EOF, Input, TIMEOUT } from './input';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** Receives the decoded message: pieces of a line, then the end of each line. */
export interface LineSink {
  /** Part of the current line (no line ending). */
  write(bytes: Buffer): void;
  /** The current line ended (the sink adds the "\n"). */
  endLine(): void;
  /** True when the sink wants the reader to pause (it just saw the end of the header). */
  wantsPause(): boolean;
}

export type DataEvent = 'end' | 'pause' | 'bare-lf' | 'eof' | 'timeout';

export class DataReader {
  private lineStart = true;
  /** Whether the previous line ended in CRLF (the DATA command's own line counts as one). */
  private prevCRLF = true;

  constructor(
    private readonly input: Input,
    private readonly sink: LineSink,
  ) {}

  /** Decodes until the end of the message, a pause the sink asked for, or a problem. */
  async next(timeoutMs: number): Promise<DataEvent> {
    for (;;) {
      const event = this.decodeBuffered();
      if (event) return event;
      const got = await this.input.fill(timeoutMs);
      if (got === EOF) return 'eof';
      if (got === TIMEOUT) return 'timeout';
    }
  }

  /** Decodes what is buffered; undefined means more input is needed. */
  private decodeBuffered(): DataEvent | undefined {
    const b = this.input.available();
    let i = 0;
    try {
      while (i < b.length) {
        if (this.sink.wantsPause()) return 'pause';
        if (this.lineStart && b[i] === DOT) {
          if (i + 1 >= b.length) return undefined;
          const next = b[i + 1];
          if (next === LF) {
            i += 2;
            return 'bare-lf';
          }
          if (next === CR) {
            if (i + 2 >= b.length) return undefined;
            if (b[i + 2] === LF) {
              i += 3;
              if (this.prevCRLF) return 'end';
              // A "." line reached through a bare LF is data (decision 10).
              this.sink.write(b.subarray(i - 3, i - 2));
              this.sink.endLine();
              this.prevCRLF = true;
              continue;
            }
          } else if (next === DOT) {
            i += 1;
          }
        }
        this.lineStart = false;
        const lf = b.indexOf(LF, i);
        if (lf < 0) {
          // Hold back a final CR: it may be the first half of CRLF.
          const end = b[b.length - 1] === CR ? b.length - 1 : b.length;
          if (end > i) this.sink.write(b.subarray(i, end));
          i = end;
          return undefined;
        }
        const crlf = lf > i && b[lf - 1] === CR;
        const contentEnd = crlf ? lf - 1 : lf;
        if (contentEnd > i) this.sink.write(b.subarray(i, contentEnd));
        this.sink.endLine();
        this.prevCRLF = crlf;
        this.lineStart = true;
        i = lf + 1;
      }
      return this.sink.wantsPause() ? 'pause' : undefined;
    } finally {
      this.input.consume(i);
    }
  }
}
