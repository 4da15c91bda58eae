// Turns the bytes an SMTP or LMTP server sends into whole replies: lines of
// "NNN-text" continued until "NNN text" (RFC 5321 section 4.2). Pure: the
// client (smtp-client.ts) feeds it what the socket delivers.
//
// The server is trusted to deliver mail, not to be sane: a reply line that
// is not "three digits, then '-', ' ' or the end", a continuation with
// another code, or a reply that never ends (more than MAX_REPLY_BYTES) is a
// protocol error, and the text is reduced to printable ASCII because it may
// be passed back to our own client.

/** One whole reply: the code and the text of each line (after "NNN-" / "NNN "). */
export interface Reply {
  code: number;
  lines: string[];
}

/** Far more than any real reply (RFC 5321 allows 512 bytes a line); a server that goes past it is broken. */
const MAX_REPLY_BYTES = 64 * 1024;
const LF = 0x0a;

export class ReplyReader {
  private pending: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private code = 0;
  private readonly replies: Reply[] = [];
  private _error: string | undefined;

  /** Set once the server sent something that is not a reply; nothing more is read after it. */
  get error(): string | undefined {
    return this._error;
  }

  /** Adds bytes from the server. */
  push(data: Buffer): void {
    if (this._error) return;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    for (let lf = this.pending.indexOf(LF); lf >= 0; lf = this.pending.indexOf(LF)) {
      // CRLF is the rule; a bare LF is tolerated, as most clients do.
      const end = lf > 0 && this.pending[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = this.pending.toString('latin1', 0, end);
      this.pending = this.pending.subarray(lf + 1);
      this.line(line);
      if (this._error) return;
    }
    if (this.pending.length + this.lines.reduce((n, l) => n + l.length, 0) > MAX_REPLY_BYTES) {
      this._error = `a reply longer than ${MAX_REPLY_BYTES} bytes`;
    }
  }

  /** The oldest whole reply not taken yet. */
  take(): Reply | undefined {
    return this.replies.shift();
  }

  /** True when a reply has begun but not ended (the server closed in the middle of it). */
  get partial(): boolean {
    return this.lines.length > 0 || this.pending.length > 0;
  }

  private line(line: string): void {
    const match = /^([2-5]\d\d)(?:([ -])(.*))?$/s.exec(line);
    if (!match) {
      this._error = `not a reply line: ${JSON.stringify(printable(line).slice(0, 100))}`;
      return;
    }
    const code = Number(match[1]);
    if (this.lines.length > 0 && code !== this.code) {
      this._error = `a multi-line reply changed its code from ${this.code} to ${code}`;
      return;
    }
    this.code = code;
    this.lines.push(printable(match[3] ?? '').trim());
    if (match[2] === '-') return;
    this.replies.push({ code, lines: this.lines });
    this.lines = [];
  }
}

/** Control characters and bytes above 126 become "?": the text may end up in our own replies and logs. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
