// Comparing a huge delivered copy with what was sent, without holding both
// whole: SHA-256 digests, the copy read from its file in chunks.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** SHA-256 of `message` (LF line ends), with every LF made CRLF when `crlf`. */
export function messageDigest(message: Buffer, crlf: boolean): string {
  const hash = createHash('sha256');
  if (!crlf) return hash.update(message).digest('hex');
  let start = 0;
  for (let lf = message.indexOf(0x0a); lf >= 0; lf = message.indexOf(0x0a, start)) {
    hash.update(message.subarray(start, lf));
    hash.update('\r\n');
    start = lf + 1;
  }
  return hash.update(message.subarray(start)).digest('hex');
}

/**
 * The part of a file after its first occurrence of `marker` (the start of
 * the message proper, after the headers the servers added), starting with
 * the marker: its SHA-256 and its length.
 */
export function fileDigestFrom(path: string, marker: string): { digest: string; length: number; found: boolean } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const at = head.subarray(0, n).indexOf(marker);
    if (at < 0) return { digest: '', length: 0, found: false };
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1024 * 1024);
    let length = 0;
    for (let pos = at; ; ) {
      const got = readSync(fd, buffer, 0, buffer.length, pos);
      if (got === 0) break;
      hash.update(buffer.subarray(0, got));
      length += got;
      pos += got;
    }
    return { digest: hash.digest('hex'), length, found: true };
  } finally {
    closeSync(fd);
  }
}

/** How many LFs `message` has (each becomes two bytes on the wire). */
export function lineEnds(message: Buffer): number {
  let count = 0;
  for (let at = message.indexOf(0x0a); at >= 0; at = message.indexOf(0x0a, at + 1)) count++;
  return count;
}
