// The message as SMTP and LMTP carry it after DATA (RFC 5321 section
// 4.5.2): the stored message has LF line ends, the wire needs CRLF, a line
// that starts with "." gets a second one, and ".\r\n" on a line of its own
// ends it. Works chunk by chunk, so a message of any size passes through in
// the memory of one chunk.
//
// Every LF becomes CRLF and nothing else changes: a CR inside a line stays
// (the core stored it as the client sent it), so the bytes that arrive are
// the bytes qpsmtpd received, with CRLF line ends.
//
// The output goes into one buffer that is reused for every chunk: a 200 MB
// message would otherwise leave 200 MB of dead buffers for the garbage
// collector, which V8 lets pile up (off its heap) far beyond our memory goal.

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const END = Buffer.from('.\r\n');
const CRLF_END = Buffer.from('\r\n.\r\n');

export class DotStuffer {
  private atLineStart = true;
  private out = Buffer.alloc(0);

  /**
   * The wire bytes for the next piece of the message. The result is a view
   * of a buffer this encoder reuses: it is valid until the next encode().
   */
  encode(chunk: Buffer): Buffer {
    // At worst every byte is an LF (two bytes out), and the first line starts with a dot.
    const need = chunk.length * 2 + 1;
    if (this.out.length < need) this.out = Buffer.allocUnsafe(Math.max(need, 64 * 1024));
    const out = this.out;
    let o = 0;
    let start = 0;
    while (start < chunk.length) {
      if (this.atLineStart && chunk[start] === DOT) out[o++] = DOT;
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf;
      o += chunk.copy(out, o, start, end);
      if (lf < 0) {
        this.atLineStart = false;
        break;
      }
      out[o++] = CR;
      out[o++] = LF;
      this.atLineStart = true;
      start = lf + 1;
    }
    return out.subarray(0, o);
  }

  /** The end of the message: a CRLF when the last line had none, then ".\r\n" (an empty message is just ".\r\n"). */
  end(): Buffer {
    return this.atLineStart ? END : CRLF_END;
  }
}
