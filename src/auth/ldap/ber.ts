// The part of BER (ITU-T X.690) that LDAP uses (RFC 4511 section 5.1):
// one-byte tags, definite lengths, integers, octet strings, booleans,
// sequences. Encoding makes the shortest form; decoding takes a whole
// element or says it is not complete yet, and refuses what LDAP forbids
// (indefinite lengths, lengths beyond 2^31, multi-byte tags).

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One decoded element: its tag byte and its content bytes. */
export interface Element {
  tag: number;
  value: Buffer;
}

export class BerError extends Error {
  override name = 'BerError';
}

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** An element with this tag around these contents (several buffers are concatenated). */
export function element(tag: number, contents: Buffer | readonly Buffer[]): Buffer {
  const value = Buffer.isBuffer(contents) ? contents : Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(value.length), value]);
}

/** An INTEGER (or ENUMERATED, with its tag) in the fewest two's-complement bytes. */
export function integer(n: number, tag: number = TAG.INTEGER): Buffer {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer: ${n}`);
  const bytes: number[] = [];
  let v = BigInt(n);
  for (;;) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
    const top = bytes[0]! & 0x80;
    if ((v === 0n && top === 0) || (v === -1n && top !== 0)) break;
  }
  return element(tag, Buffer.from(bytes));
}

export function enumerated(n: number): Buffer {
  return integer(n, TAG.ENUMERATED);
}

export function octets(bytes: Buffer | string, tag: number = TAG.OCTET_STRING): Buffer {
  return element(tag, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
}

export function boolean(b: boolean): Buffer {
  return element(TAG.BOOLEAN, Buffer.from([b ? 0xff : 0x00]));
}

export function sequence(items: readonly Buffer[], tag: number = TAG.SEQUENCE): Buffer {
  return element(tag, items);
}

/**
 * The element that starts at `at`, and where the next one starts; undefined
 * when the bytes end before it does.
 */
export function readElement(bytes: Buffer, at = 0): { element: Element; next: number } | undefined {
  if (bytes.length < at + 2) return undefined;
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) throw new BerError('multi-byte tags are not used by LDAP');
  const first = bytes[at + 1]!;
  let length: number;
  let start: number;
  if (first < 0x80) {
    length = first;
    start = at + 2;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new BerError('indefinite length (LDAP forbids it)');
    if (count > 4) throw new BerError(`a length of ${count} bytes`);
    if (bytes.length < at + 2 + count) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
    if (length > 0x7fffffff) throw new BerError(`a length of ${length}`);
    start = at + 2 + count;
  }
  if (bytes.length < start + length) return undefined;
  return { element: { tag, value: bytes.subarray(start, start + length) }, next: start + length };
}

/** The elements inside a constructed element's contents; they must fill it exactly. */
export function children(value: Buffer): Element[] {
  const out: Element[] = [];
  for (let at = 0; at < value.length; ) {
    const got = readElement(value, at);
    if (!got) throw new BerError('an element runs past the end of its parent');
    out.push(got.element);
    at = got.next;
  }
  return out;
}

/** An INTEGER's or ENUMERATED's value. */
export function readInteger(value: Buffer): number {
  if (value.length === 0 || value.length > 6) throw new BerError(`an integer of ${value.length} bytes`);
  let n = 0;
  for (const b of value) n = n * 256 + b;
  // Two's complement: a leading 1 bit makes the value negative.
  return value[0]! & 0x80 ? n - 2 ** (8 * value.length) : n;
}
