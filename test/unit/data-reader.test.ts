// src/io/data-reader.ts: the DATA decoder (behavior §2.6 step 5, decision 9:
// bounded memory, decision 10: the end is only <CRLF>.<CRLF>).

import t from 'tap';
import { type DataEvent, DataReader, type LineSink } from '../../src/io/data-reader';
import { EOF, Input } from '../../src/io/input';
import { chunked, manual, scripted } from '../helpers/sources';

/** A sink that records decoded lines, and how big each write was. */
class RecordingSink implements LineSink {
  lines: string[] = [];
  current: Buffer[] = [];
  writes = 0;
  biggestWrite = 0;
  /** Pause after the line with this index has ended. */
  pauseAfter: number | undefined;
  paused = false;

  write(bytes: Buffer): void {
    this.writes++;
    this.biggestWrite = Math.max(this.biggestWrite, bytes.length);
    this.current.push(Buffer.from(bytes));
  }

  endLine(): void {
    this.lines.push(Buffer.concat(this.current).toString('latin1'));
    this.current = [];
    if (this.pauseAfter === this.lines.length - 1) this.paused = true;
  }

  wantsPause(): boolean {
    return this.paused;
  }

  /** The bytes of a line still being written (not ended yet). */
  partial(): string {
    return Buffer.concat(this.current).toString('latin1');
  }
}

async function decode(data: string | Buffer, chunkSize?: number): Promise<{ lines: string[]; event: DataEvent; rest: string; sink: RecordingSink }> {
  const input = new Input(scripted(chunked(data, chunkSize)));
  const sink = new RecordingSink();
  const event = await new DataReader(input, sink).next(0);
  return { lines: sink.lines, event, rest: input.available().toString('latin1'), sink };
}

/** Every chunking that matters for split CRLFs and dots: byte by byte, small and whole. */
const SIZES = [undefined, 1, 2, 3, 4, 7];

async function each(
  t: tap.Test,
  data: string,
  expectedLines: string[],
  expectedEvent: DataEvent,
  label: string,
): Promise<void> {
  for (const size of SIZES) {
    const got = await decode(data, size);
    t.strictSame({ lines: got.lines, event: got.event }, { lines: expectedLines, event: expectedEvent }, `${label} (chunks of ${size ?? 'all'})`);
  }
}

t.test('lines and the terminator', async (t) => {
  await each(t, 'a\r\nb\r\n.\r\n', ['a', 'b'], 'end', 'two lines');
  await each(t, '.\r\n', [], 'end', 'empty message');
  await each(t, '\r\n.\r\n', [''], 'end', 'one empty line');
  await each(t, '\r\n\r\n.\r\n', ['', ''], 'end', 'two empty lines');
});

t.test('dot-unstuffing: one leading dot is removed from lines starting with ".."', async (t) => {
  await each(t, '..x\r\n.\r\n', ['.x'], 'end', '"..x"');
  await each(t, '..\r\n.\r\n', ['.'], 'end', '".." is a stuffed "."');
  await each(t, '...\r\n.\r\n', ['..'], 'end', '"..."');
  await each(t, '.x\r\n.\r\n', ['.x'], 'end', 'a single dot before text is kept (qpsmtpd)');
  await each(t, 'a.\r\n.a\r\n..b.\r\n.\r\n', ['a.', '.a', '.b.'], 'end', 'dots elsewhere');
  await each(t, '.\r\r\n.\r\n', ['.\r'], 'end', '".\\r\\r\\n" is data');
  await each(t, '. \r\n.\r\n', ['. '], 'end', '". " is data');
});

t.test('decision 10: a "." line reached through a bare LF or CR is data', async (t) => {
  await each(t, 'a\n.\r\nb\r\n.\r\n', ['a', '.', 'b'], 'end', '"\\n.\\r\\n" is a line "."');
  await each(t, 'a\n.\r\n.\r\n', ['a', '.'], 'end', 'then the real end');
  await each(t, 'a\r.\r\nb\r\n.\r\n', ['a\r.', 'b'], 'end', '"\\r.\\r\\n" is part of a line');
  await each(t, 'a\n..\r\n.\r\n', ['a', '.'], 'end', 'a stuffed dot after a bare LF is still un-stuffed');
  await each(t, 'a\n\n.\r\n.\r\n', ['a', '', '.'], 'end', 'a bare-LF empty line before the dot');
});

t.test('a "." line ending in a bare LF is the bare-LF error', async (t) => {
  await each(t, '.\n', [], 'bare-lf', 'at the start');
  await each(t, 'a\r\n.\nb\r\n.\r\n', ['a'], 'bare-lf', 'after a CRLF line');
  await each(t, 'a\n.\n', ['a'], 'bare-lf', 'after a bare-LF line');
});

t.test('CR inside lines is kept, bare LF ends a line, CRLF becomes the line end', async (t) => {
  await each(t, 'a\rb\r\n.\r\n', ['a\rb'], 'end', 'CR inside');
  await each(t, 'a\nb\r\n.\r\n', ['a', 'b'], 'end', 'bare LF line');
  await each(t, '\r\r\n.\r\n', ['\r'], 'end', 'a line that is a CR');
  await each(t, 'x\r\r\r\n.\r\n', ['x\r\r'], 'end', 'CRs before CRLF');
  await each(t, 'a\n\r\n.\r\n', ['a', ''], 'end', 'a bare LF, then an empty CRLF line');
});

t.test('bytes pass unchanged (8-bit, NUL)', async (t) => {
  const data = Buffer.concat([Buffer.from([0xff, 0x00, 0xe9, 0x0d, 0x0a]), Buffer.from('.\r\n')]);
  for (const size of SIZES) {
    const got = await decode(data, size);
    t.strictSame(got.lines, ['\xff\x00\xe9'], `chunks of ${size ?? 'all'}`);
  }
});

t.test('what follows the terminator stays in the input (pipelining)', async (t) => {
  for (const size of [undefined, 1, 3]) {
    const input = new Input(scripted(chunked('a\r\n.\r\nQUIT\r\n', size)));
    const sink = new RecordingSink();
    t.equal(await new DataReader(input, sink).next(0), 'end');
    t.strictSame(sink.lines, ['a']);
    t.equal((await input.readLine(100, 0) as Buffer).toString(), 'QUIT', `chunks of ${size ?? 'all'}`);
    t.equal(await input.readLine(100, 0), EOF);
  }
});

t.test('EOF before the terminator', async (t) => {
  await each(t, 'a\r\nb', ['a'], 'eof', 'in the middle of a line');
  await each(t, 'a\r\n', ['a'], 'eof', 'after a line');
  await each(t, '', [], 'eof', 'nothing at all');
  await each(t, 'a\r\n.', ['a'], 'eof', 'a dot without its line end');
  await each(t, 'a\r\n.\r', ['a'], 'eof', 'a dot and a CR');
  const got = await decode('a\r\nbc\r');
  t.equal(got.sink.partial(), 'bc', 'the partial line was written, the held-back CR was not');
});

t.test('timeout', async (t) => {
  const source = manual();
  const input = new Input(source);
  const sink = new RecordingSink();
  const reader = new DataReader(input, sink);
  source.push('a\r\nb');
  t.equal(await reader.next(30), 'timeout');
  t.strictSame(sink.lines, ['a']);
  t.equal(sink.partial(), 'b');
  source.push('c\r\n.\r\n');
  t.equal(await reader.next(0), 'end', 'the reader can go on after a timeout');
  t.strictSame(sink.lines, ['a', 'bc']);
});

t.test('CRLF split across chunk boundaries, every split point', async (t) => {
  const message = 'Subject: x\r\n\r\n..dot\r\nline\rwith CR\r\n.\r\n';
  const expected = ['Subject: x', '', '.dot', 'line\rwith CR'];
  for (let cut = 1; cut < message.length; cut++) {
    const input = new Input(scripted([message.slice(0, cut), message.slice(cut)]));
    const sink = new RecordingSink();
    const event = await new DataReader(input, sink).next(0);
    t.strictSame({ lines: sink.lines, event }, { lines: expected, event: 'end' }, `cut at ${cut}`);
  }
});

t.test('pause: the reader stops when the sink asks, and goes on', async (t) => {
  for (const size of [undefined, 1, 5]) {
    const input = new Input(scripted(chunked('H: v\r\n\r\nbody\r\n.\r\n', size)));
    const sink = new RecordingSink();
    sink.pauseAfter = 1; // after the empty line
    const reader = new DataReader(input, sink);
    t.equal(await reader.next(0), 'pause', `chunks of ${size ?? 'all'}`);
    t.strictSame(sink.lines, ['H: v', ''], 'nothing after the pause point was decoded');
    if (size === undefined) t.equal(input.available().toString(), 'body\r\n.\r\n', 'the rest waits in the input');
    sink.paused = false;
    t.equal(await reader.next(0), 'end');
    t.strictSame(sink.lines, ['H: v', '', 'body']);
  }
});

t.test('pause requested at the very last line before the terminator', async (t) => {
  const input = new Input(scripted(['only\r\n.\r\n']));
  const sink = new RecordingSink();
  sink.pauseAfter = 0;
  const reader = new DataReader(input, sink);
  t.equal(await reader.next(0), 'pause');
  sink.paused = false;
  t.equal(await reader.next(0), 'end');
  t.strictSame(sink.lines, ['only']);
});

t.test('a 5 MB line is passed on in pieces, never held as one line', async (t) => {
  const size = 5 * 1024 * 1024;
  const chunk = 64 * 1024;
  let sent = 0;
  let peakBuffered = 0;
  let input: Input | undefined;
  const source = {
    async next(): Promise<Buffer | null> {
      peakBuffered = Math.max(peakBuffered, input!.available().length);
      if (sent < size) {
        sent += chunk;
        return Buffer.alloc(chunk, 0x78);
      }
      if (sent === size) {
        sent++;
        return Buffer.from('\r\nend\r\n.\r\n');
      }
      return null;
    },
  };
  input = new Input(source);
  let total = 0;
  let biggest = 0;
  const lines: number[] = [];
  const sink: LineSink = {
    write: (bytes) => {
      total += bytes.length;
      biggest = Math.max(biggest, bytes.length);
    },
    endLine: () => {
      lines.push(total);
      total = 0;
    },
    wantsPause: () => false,
  };
  t.equal(await new DataReader(input, sink).next(0), 'end');
  t.strictSame(lines, [size, 3], 'the long line, then "end"');
  t.ok(biggest <= chunk, `each write is at most one chunk (${biggest})`);
  t.ok(peakBuffered <= 1, `the input holds at most a held-back CR between reads (${peakBuffered})`);
});

t.test('a long line made of CRs is not confused with line ends', async (t) => {
  const data = `${'\r'.repeat(1000)}\r\n.\r\n`;
  for (const size of [undefined, 1, 3]) {
    const got = await decode(data, size);
    t.strictSame({ lines: got.lines, event: got.event }, { lines: ['\r'.repeat(1000)], event: 'end' }, `chunks of ${size ?? 'all'}`);
  }
});
