// Splits what an IMAP server sends into responses (RFC 3501 section 7): a
// line "<tag> <status> [<code>] <text>", "* <data>" or "+ <text>". A line
// that ends in a literal announcement "{n}" goes on after n more bytes,
// so a literal in a response can never be mistaken for the end of one.
// Pure: the client hands it the bytes received so far.
//
// The server is trusted to check passwords, not to be sane: its texts are
// reduced to printable ASCII, because they end up in logs.

export type ImapStatus = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

export interface ImapResponse {
  /** "*" (untagged), "+" (continuation) or the tag of a command. */
  tag: string;
  /** The status word, when the response has one. */
  status?: ImapStatus;
  /** The response code between [ and ] (e.g. "CAPABILITY IMAP4rev1 ...", "AUTHENTICATIONFAILED"), upper-cased. */
  code?: string;
  /** The rest: the human-readable text, or an untagged response's data ("CAPABILITY IMAP4rev1 ..."). */
  text: string;
}

const STATUSES: ReadonlySet<string> = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);
/** "{123}" or "{123+}" at the end of a line: n bytes of literal follow the CRLF. */
const LITERAL_AT_END = /\{(\d{1,9})\+?\}$/;

export class ImapProtocolError extends Error {
  override name = 'ImapProtocolError';
}

/**
 * The first complete response in `bytes` and how many bytes it took, or
 * undefined while it is still incomplete. Throws ImapProtocolError for a
 * line that is no response.
 */
export function takeResponse(bytes: Buffer): { response: ImapResponse; length: number } | undefined {
  let text = '';
  let at = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf < 0) return undefined;
    // CRLF is the rule; a bare LF is tolerated.
    const end = lf > at && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = bytes.toString('latin1', at, end);
    text += line;
    const literal = LITERAL_AT_END.exec(line);
    if (!literal) return { response: parse(text), length: lf + 1 };
    const size = Number(literal[1]);
    if (bytes.length < lf + 1 + size) return undefined;
    text += bytes.toString('latin1', lf + 1, lf + 1 + size);
    at = lf + 1 + size;
  }
}

function parse(raw: string): ImapResponse {
  const line = printable(raw);
  const space = line.indexOf(' ');
  const tag = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  if (tag === '+') return { tag, text: rest };
  if (!/^[\x21-\x7e]+$/.test(tag)) throw new ImapProtocolError(`not an IMAP response: ${JSON.stringify(line.slice(0, 80))}`);
  const word = /^(\S+)(?: (.*))?$/s.exec(rest);
  const first = word?.[1]?.toUpperCase() ?? '';
  if (!STATUSES.has(first)) {
    // Untagged data ("* CAPABILITY ...", "* 3 EXISTS"); a tagged response must have a status.
    if (tag === '*') return { tag, text: rest };
    throw new ImapProtocolError(`a tagged response without a status: ${JSON.stringify(line.slice(0, 80))}`);
  }
  let after = word?.[2] ?? '';
  let code: string | undefined;
  const bracket = /^\[([^\]]*)\] ?/.exec(after);
  if (bracket) {
    code = bracket[1]!.toUpperCase();
    after = after.slice(bracket[0].length);
  }
  return { tag, status: first as ImapStatus, code, text: after };
}

/** Printable ASCII only; anything else becomes "?". */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
