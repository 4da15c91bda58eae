// A user name or password as an argument of an IMAP command (RFC 3501
// section 4.3 and the grammar in section 9: astring). Sent as a quoted
// string when every byte may appear in one (7-bit, no CR or LF, no NUL:
// QUOTED-CHAR), with '"' and '\' escaped; otherwise as a literal, the
// exact bytes announced by their count, so that no byte of a password can
// end the command, start another one, or change its meaning.

/** One argument, ready to send: a quoted string, or the bytes of a literal. */
export type ImapArgument = { kind: 'quoted'; text: string } | { kind: 'literal'; bytes: Buffer };

/** Whether the bytes may go in a quoted string (TEXT-CHAR: %x01-7F except CR and LF). */
function quotable(bytes: Buffer): boolean {
  for (const b of bytes) if (b === 0x00 || b === 0x0a || b === 0x0d || b > 0x7f) return false;
  return true;
}

/** The argument for these bytes. Throws for a NUL byte, which IMAP cannot carry even in a literal. */
export function imapArgument(bytes: Buffer): ImapArgument {
  if (bytes.includes(0)) throw new RangeError('an IMAP string cannot hold a NUL byte');
  if (quotable(bytes)) return { kind: 'quoted', text: `"${bytes.toString('latin1').replace(/["\\]/g, (c) => `\\${c}`)}"` };
  return { kind: 'literal', bytes };
}
