// Postfix's cleanup protocol, as Postfix's own front ends (smtpd, qmqpd,
// pickup) speak it to the cleanup(8) service, and as qpsmtpd's
// Qpsmtpd::Postfix does:
//
// 1. cleanup sends an attribute list: "protocol" ("cleanup_protocol",
//    Postfix 3.x) and "queue_id". Attribute lists are Postfix's attr0
//    format: name\0value\0 ... terminated by an empty name (\0).
// 2. We send the list "flags" (CLEANUP_FLAG_* bits: header checks, address
//    mapping, hold ...).
// 3. We send records: a type byte, the length as a base-128 number (low
//    7 bits first, the high bit set on all but the last byte), the bytes.
//    The envelope: T (arrival time), A (named attribute), S (sender), R (one
//    per recipient); then M (start of content), the content as N (a line
//    without its LF) and L (a piece of a longer line, continued by the next
//    record), then X (end of content) and E (end).
// 4. cleanup answers with the list "status" (CLEANUP_STAT_* bits, 0 = queued)
//    and "reason".
//
// The record types and status bits are those of Postfix's rec_type.h and
// cleanup_user.h; the status texts are cleanup_strerror.c's, in its order
// (the most severe first).

import { NextHopError, type Connection } from './connection';

/** CLEANUP_FLAG_* (cleanup_user.h), by the names qpsmtpd's postfix-queue takes as arguments. */
export const CLEANUP_FLAGS: Readonly<Record<string, number>> = {
  FLAG_NONE: 0,
  FLAG_BOUNCE: 1 << 0,
  FLAG_FILTER: 1 << 1,
  FLAG_HOLD: 1 << 2,
  FLAG_DISCARD: 1 << 3,
  FLAG_BCC_OK: 1 << 4,
  FLAG_MAP_OK: 1 << 5,
  FLAG_MILTER: 1 << 6,
  FLAG_FILTER_ALL: (1 << 1) | (1 << 6),
  FLAG_MASK_EXTERNAL: (1 << 1) | (1 << 6) | (1 << 4) | (1 << 5),
  FLAG_MASK_INTERNAL: 1 << 5,
  FLAG_MASK_EXTRA: (1 << 2) | (1 << 3),
};

export interface CleanupStatus {
  bit: number;
  /** A temporary failure (Postfix answers 4xx for it), else a permanent one. */
  temporary: boolean;
  text: string;
}

/** cleanup_strerror.c's table, most severe first: the first bit set in a status explains it. */
export const CLEANUP_STATUSES: readonly CleanupStatus[] = [
  { bit: 1 << 8, temporary: true, text: 'service unavailable (#4.7.1)' }, // DEFER
  { bit: 1 << 7, temporary: true, text: 'queue file write error (#4.3.0)' }, // PROXY
  { bit: 1 << 0, temporary: true, text: 'internal protocol error (#4.3.0)' }, // BAD
  { bit: 1 << 6, temporary: false, text: 'no recipients specified (#5.1.0)' }, // RCPT
  { bit: 1 << 4, temporary: false, text: 'too many hops (#5.4.0)' }, // HOPS
  { bit: 1 << 2, temporary: false, text: 'message file too big (#5.3.4)' }, // SIZE
  { bit: 1 << 3, temporary: false, text: 'message content rejected (#5.7.1)' }, // CONT
  { bit: 1 << 1, temporary: true, text: 'queue file write error (#4.3.0)' }, // WRITE
  { bit: 1 << 9, temporary: false, text: 'service denied (#5.7.1)' }, // NOPERM
];

export interface CleanupEnvelope {
  sender: string;
  recipients: string[];
  flags: number;
}

export interface CleanupResult {
  queueId: string;
  /** CLEANUP_STAT_* bits; 0: the message is in Postfix's queue. */
  status: number;
  reason: string;
}

/** The longest content record: longer lines go as L records (Postfix's line_length_limit). */
const MAX_LINE_RECORD = 2048;
/** Records are gathered into writes of about this size. */
const WRITE_SIZE = 64 * 1024;
/** Attribute lists from cleanup are a few short values. */
const MAX_ATTRIBUTES = 64 * 1024;
const LF = 0x0a;

/**
 * Injects one message over an open connection to cleanup. Throws a
 * NextHopError when cleanup breaks the protocol or the connection fails.
 * The stages in its texts: greeting (the queue id), message (the records),
 * end of message (the result).
 */
export async function injectMessage(
  connection: Connection,
  envelope: CleanupEnvelope,
  content: AsyncIterable<Buffer>,
): Promise<CleanupResult> {
  const hello = await readAttributes(connection, 'greeting');
  const protocol = hello.get('protocol');
  if (protocol !== undefined && protocol !== 'cleanup_protocol') {
    throw new NextHopError('protocol', connection.name, 'greeting', `not a cleanup service (it speaks ${protocol})`);
  }
  const queueId = hello.get('queue_id');
  if (!queueId) throw new NextHopError('protocol', connection.name, 'greeting', 'no queue id');

  const out = new RecordWriter(connection);
  await write(connection, attributes([['flags', String(envelope.flags)]]));
  const now = Date.now();
  await out.record('T', `${Math.floor(now / 1000)} ${(now % 1000) * 1000}`);
  // As Postfix's smtpd for a remote client: leave the header alone (no
  // From:, Date:, Message-Id: added, no addresses rewritten) unless
  // remote_header_rewrite_domain says otherwise.
  await out.record('A', 'rewrite_context=remote');
  await out.record('S', envelope.sender);
  for (const recipient of envelope.recipients) await out.record('R', recipient);
  await out.record('M', '');
  const lines = new LineRecords(out);
  for await (const chunk of content) await lines.write(chunk);
  await lines.end();
  await out.record('X', '');
  await out.record('E', '');
  await out.flush();

  const result = await readAttributes(connection, 'end of message');
  const status = Number(result.get('status'));
  if (!/^\d+$/.test(result.get('status') ?? '')) throw new NextHopError('protocol', connection.name, 'end of message', 'no status');
  return { queueId, status, reason: result.get('reason') ?? '' };
}

/** The status that explains a failed result (the most severe bit set), if Postfix knows it. */
export function explainStatus(status: number): CleanupStatus | undefined {
  return CLEANUP_STATUSES.find((s) => (status & s.bit) !== 0);
}

/** An attribute list in attr0 form. */
function attributes(pairs: [string, string][]): Buffer {
  return Buffer.from(`${pairs.map(([name, value]) => `${name}\0${value}\0`).join('')}\0`);
}

/** Writes what we send; cleanup says nothing before the end, so an early answer is a protocol error. */
async function write(connection: Connection, data: Buffer): Promise<void> {
  if (!(await connection.write(data, 'message'))) {
    throw new NextHopError('protocol', connection.name, 'message', 'an answer before the end of the message');
  }
}

async function readAttributes(connection: Connection, stage: string): Promise<Map<string, string>> {
  const parsed = await connection.read(stage, (data) => parseAttributes(data, connection.name, stage));
  connection.consume(parsed.rest);
  return parsed.attributes;
}

/** One attr0 list from the start of `data`, or undefined while it is incomplete. */
function parseAttributes(data: Buffer, peer: string, stage: string): { attributes: Map<string, string>; rest: Buffer } | undefined {
  const found = new Map<string, string>();
  let pos = 0;
  for (;;) {
    if (pos >= MAX_ATTRIBUTES) throw new NextHopError('protocol', peer, stage, `an attribute list longer than ${MAX_ATTRIBUTES} bytes`);
    const nameEnd = data.indexOf(0, pos);
    if (nameEnd < 0) return undefined;
    if (nameEnd === pos) return { attributes: found, rest: data.subarray(pos + 1) };
    const valueEnd = data.indexOf(0, nameEnd + 1);
    if (valueEnd < 0) return undefined;
    found.set(data.toString('latin1', pos, nameEnd), data.toString('utf8', nameEnd + 1, valueEnd));
    pos = valueEnd + 1;
  }
}

/**
 * Gathers records into one reused buffer and writes it when it is full.
 * put() is synchronous: the content of a 200 MB message is some 200,000
 * records, and a promise for each would be garbage enough to show in the
 * process's memory; only a full buffer is awaited.
 */
class RecordWriter {
  private buffer = Buffer.allocUnsafe(WRITE_SIZE);
  private used = 0;

  constructor(private readonly connection: Connection) {}

  /** Makes room for a record of `length` data bytes (writing out what is gathered if need be). */
  async room(length: number): Promise<void> {
    // Type, up to 5 length bytes, the data.
    const need = 6 + length;
    if (this.used + need > this.buffer.length) await this.flush();
    if (need > this.buffer.length) this.buffer = Buffer.allocUnsafe(need);
  }

  /** Whether a record of `length` data bytes fits without a flush. */
  fits(length: number): boolean {
    return this.used + 6 + length <= this.buffer.length;
  }

  /** Adds a record; room() or fits() must have said there is room. */
  put(type: string, data: Buffer, start = 0, end = data.length): void {
    this.buffer[this.used++] = type.charCodeAt(0);
    let rest = end - start;
    while (rest >= 0x80) {
      this.buffer[this.used++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.used++] = rest;
    this.used += data.copy(this.buffer, this.used, start, end);
  }

  async record(type: string, text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    await this.room(data.length);
    this.put(type, data);
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    // write() returns once the socket took the bytes: the buffer may be reused then.
    await write(this.connection, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/** Message content as N and L records, chunk by chunk (a line may span chunks). */
class LineRecords {
  private line = Buffer.allocUnsafe(MAX_LINE_RECORD);
  private used = 0;
  private open = false;

  constructor(private readonly out: RecordWriter) {}

  async write(chunk: Buffer): Promise<void> {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf;
      this.open = true;
      // A piece that fills the line record goes out as L; the rest waits for more.
      while (end - start > MAX_LINE_RECORD - this.used) {
        const take = MAX_LINE_RECORD - this.used;
        chunk.copy(this.line, this.used, start, start + take);
        if (!this.out.fits(MAX_LINE_RECORD)) await this.out.room(MAX_LINE_RECORD);
        this.put('L', MAX_LINE_RECORD);
        start += take;
      }
      this.used += chunk.copy(this.line, this.used, start, end);
      if (lf < 0) return;
      // Awaited only when the output is full: most lines cost no promise at all.
      if (!this.out.fits(this.used)) await this.out.room(this.used);
      this.put('N', this.used);
      this.open = false;
      start = lf + 1;
    }
  }

  /** A last line without LF is still a line. */
  async end(): Promise<void> {
    if (this.open) {
      await this.out.room(this.used);
      this.put('N', this.used);
    }
    this.open = false;
  }

  private put(type: string, length: number): void {
    this.out.put(type, this.line, 0, length);
    this.used = 0;
  }
}
