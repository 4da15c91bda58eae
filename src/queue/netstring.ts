// Netstrings (cr.yp.to/proto/netstrings.txt): "<length>:<bytes>,", the
// framing of QMQP. A message is far too big to be built as one netstring in
// memory, so the writer side offers the pieces (the "<length>:" prefix and
// the "," suffix) and the caller streams the bytes in between; the reader
// side decodes one short netstring (a server's answer) from what arrived.

const COLON = 0x3a;
const COMMA = 0x2c;

/** "<length>:" for a netstring of that many bytes. */
export function netstringPrefix(length: number): Buffer {
  return Buffer.from(`${length}:`, 'latin1');
}

/** The whole netstring of a small value (an address, an answer). */
export function netstring(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([netstringPrefix(bytes.length), bytes, Buffer.from(',')]);
}

/** How many bytes the netstring of a value of this length takes. */
export function netstringLength(length: number): number {
  return String(length).length + 1 + length + 1;
}

export type NetstringParse = { value: Buffer; rest: Buffer } | { incomplete: true } | { error: string };

/**
 * Decodes the netstring at the start of `data`: its value and the bytes
 * after it, `incomplete` when more bytes are needed, or an error for
 * anything that is not a netstring (or one longer than `limit`).
 */
export function parseNetstring(data: Buffer, limit: number): NetstringParse {
  let length = 0;
  let i = 0;
  for (; i < data.length && data[i] !== COLON; i++) {
    const digit = data[i]! - 0x30;
    if (digit < 0 || digit > 9) return { error: `not a netstring: ${describe(data)}` };
    // A leading zero is only allowed for the length 0 itself.
    if (i === 1 && data[0] === 0x30) return { error: `not a netstring: ${describe(data)}` };
    length = length * 10 + digit;
    if (length > limit) return { error: `netstring longer than ${limit} bytes` };
  }
  if (i === data.length) return { incomplete: true };
  if (i === 0) return { error: `not a netstring: ${describe(data)}` };
  const start = i + 1;
  const end = start + length;
  if (data.length <= end) return { incomplete: true };
  if (data[end] !== COMMA) return { error: `netstring without its closing comma: ${describe(data)}` };
  return { value: data.subarray(start, end), rest: data.subarray(end + 1) };
}

/** The first bytes of something that is not a netstring, printable, for an error text. */
function describe(data: Buffer): string {
  return JSON.stringify(data.subarray(0, 40).toString('latin1'));
}
