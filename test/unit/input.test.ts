// src/io/input.ts: command lines from the client's bytes (behavior §1.5,
// decision 9: bounded line length; decision 2: read timeouts).

import { PassThrough } from 'node:stream';
import t from 'tap';
import { EOF, Input, TIMEOUT, TOO_LONG, streamSource } from '../../src/io/input';
import { chunked, manual, scripted } from '../helpers/sources';

type ReadResult = Awaited<ReturnType<Input['readLine']>>;

/** Reads lines until EOF; Buffers become latin1 strings, symbols stay. */
async function readAll(input: Input, max = 4096, timeoutMs = 0): Promise<Array<string | symbol>> {
  const out: Array<string | symbol> = [];
  for (;;) {
    const line: ReadResult = await input.readLine(max, timeoutMs);
    out.push(Buffer.isBuffer(line) ? line.toString('latin1') : line);
    if (line === EOF || line === TIMEOUT) return out;
  }
}

function inputOf(data: string | Buffer, chunkSize?: number): Input {
  return new Input(scripted(chunked(data, chunkSize)));
}

t.test('CRLF and LF line endings', async (t) => {
  for (const size of [undefined, 1, 2, 3, 5]) {
    t.strictSame(await readAll(inputOf('HELO x\r\nMAIL FROM:<a@b>\nQUIT\r\n', size)), ['HELO x', 'MAIL FROM:<a@b>', 'QUIT', EOF], `chunk size ${size ?? 'all'}`);
  }
});

t.test('only one trailing CRLF or LF is removed; CRs elsewhere stay', async (t) => {
  t.strictSame(await readAll(inputOf('a\r\r\n')), ['a\r', EOF]);
  t.strictSame(await readAll(inputOf('a\rb\r\n')), ['a\rb', EOF]);
  t.strictSame(await readAll(inputOf('\r\n\n')), ['', '', EOF], 'empty lines');
  t.strictSame(await readAll(inputOf('a\r\rb\n')), ['a\r\rb', EOF]);
  t.strictSame(await readAll(inputOf('x\n\r\n')), ['x', '', EOF]);
});

t.test('bytes are returned as they are (no decoding)', async (t) => {
  const input = new Input(scripted([Buffer.from([0x48, 0xff, 0x00, 0xc3, 0x0d, 0x0a])]));
  const line = await input.readLine(100, 0);
  t.ok(Buffer.isBuffer(line));
  t.strictSame([...(line as Buffer)], [0x48, 0xff, 0x00, 0xc3]);
});

t.test('a partial last line is returned at EOF', async (t) => {
  t.strictSame(await readAll(inputOf('NOOP\r\nQUIT')), ['NOOP', 'QUIT', EOF]);
  t.strictSame(await readAll(inputOf('QUIT\r')), ['QUIT', EOF], 'a trailing CR at EOF is removed');
  t.strictSame(await readAll(inputOf('Q', 1)), ['Q', EOF]);
  t.strictSame(await readAll(inputOf('')), [EOF], 'no input at all');
  t.strictSame(await readAll(inputOf('\r\n')), ['', EOF]);
});

t.test('EOF keeps being EOF', async (t) => {
  const source = scripted(['A\n']);
  const input = new Input(source);
  t.equal((await input.readLine(10, 0) as Buffer).toString(), 'A');
  t.equal(await input.readLine(10, 0), EOF);
  const reads = source.reads;
  t.equal(await input.readLine(10, 0), EOF);
  t.equal(await input.fill(0), EOF);
  t.equal(source.reads, reads, 'the source is not asked again after its end');
});

t.test('max length: a line of exactly the limit is fine, one more byte is TOO_LONG', async (t) => {
  for (const size of [undefined, 1, 4]) {
    const label = `chunk size ${size ?? 'all'}`;
    t.strictSame(await readAll(inputOf('0123456789\r\nok\r\n', size), 10), ['0123456789', 'ok', EOF], `${label}: 10 bytes with CRLF`);
    t.strictSame(await readAll(inputOf('0123456789\nok\n', size), 10), ['0123456789', 'ok', EOF], `${label}: 10 bytes with LF`);
    t.strictSame(await readAll(inputOf('0123456789A\r\nok\r\n', size), 10), [TOO_LONG, 'ok', EOF], `${label}: 11 bytes`);
    t.strictSame(await readAll(inputOf('0123456789A\nok\n', size), 10), [TOO_LONG, 'ok', EOF], `${label}: 11 bytes, LF`);
  }
});

t.test('max length: the rest of a long line is discarded, the next line is intact', async (t) => {
  const long = 'X'.repeat(100_000);
  for (const size of [undefined, 7, 4096]) {
    t.strictSame(
      await readAll(inputOf(`${long}\r\nNOOP\r\n${long}\nQUIT\r\n`, size), 64),
      [TOO_LONG, 'NOOP', TOO_LONG, 'QUIT', EOF],
      `chunk size ${size ?? 'all'}`,
    );
  }
});

t.test('max length: a too-long line is dropped while it arrives, not held', async (t) => {
  // 1 MB without a line end in 30-byte chunks: whenever the next chunk is
  // asked for, the buffer holds no more than the limit.
  let input: Input | undefined;
  let peak = 0;
  let left = 35_000;
  const source = {
    async next(): Promise<Buffer | null> {
      peak = Math.max(peak, input!.available().length);
      if (left-- > 0) return Buffer.alloc(30, 0x41);
      if (left === -1) return Buffer.from('tail\r\nNEXT\r\n');
      return null;
    },
  };
  input = new Input(source);
  t.equal(await input.readLine(100, 0), TOO_LONG);
  t.ok(peak > 0 && peak <= 100 + 1, `buffer peak ${peak} stays near the limit`);
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'NEXT');
  t.equal(await input.readLine(100, 0), EOF);
});

t.test('max length: CR of a CRLF split across chunks does not count against the limit', async (t) => {
  t.strictSame(await readAll(new Input(scripted(['0123456789\r', '\nok\r\n'])), 10), ['0123456789', 'ok', EOF]);
});

t.test('max length: too long at EOF without a line end', async (t) => {
  t.strictSame(await readAll(inputOf('0123456789AB'), 10), [TOO_LONG, EOF]);
  t.strictSame(await readAll(inputOf('X'.repeat(5000), 100), 10), [TOO_LONG, EOF], 'discarding when EOF comes');
});

t.test('several lines in one chunk are handed out one by one (pipelining)', async (t) => {
  const source = scripted(['MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n']);
  const input = new Input(source);
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'MAIL FROM:<a@b>');
  t.equal(input.available().toString(), 'RCPT TO:<c@d>\r\nDATA\r\n', 'the rest stays buffered');
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'RCPT TO:<c@d>');
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'DATA');
  t.equal(source.reads, 1, 'one read served three lines');
});

t.test('timeout', async (t) => {
  const start = Date.now();
  const input = new Input(scripted(['HE', 'stall']));
  t.equal(await input.readLine(100, 50), TIMEOUT);
  const took = Date.now() - start;
  t.ok(took >= 45 && took < 2000, `waited about 50 ms (${took})`);
  t.equal(input.available().toString(), 'HE', 'bytes received before the timeout are kept');
});

t.test('timeout 0 waits for ever (until data comes)', async (t) => {
  const input = new Input(scripted([120, 'LATE\r\n']));
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'LATE');
});

t.test('a read that timed out still delivers its bytes to the next read', async (t) => {
  const source = manual();
  const input = new Input(source);
  t.equal(await input.readLine(100, 20), TIMEOUT);
  source.push('AFTER\r\n');
  t.equal((await input.readLine(100, 0) as Buffer).toString(), 'AFTER');
});

t.test('a line that arrives in time is not a timeout', async (t) => {
  const input = new Input(scripted([10, 'NOOP\r\n']));
  t.equal((await input.readLine(100, 1000) as Buffer).toString(), 'NOOP');
});

t.test('available and consume', async (t) => {
  const input = new Input(scripted(['abcdef']));
  t.equal(input.available().length, 0);
  t.equal(await input.fill(0), true);
  t.equal(input.available().toString(), 'abcdef');
  input.consume(2);
  t.equal(input.available().toString(), 'cdef');
  input.consume(4);
  t.equal(input.available().length, 0);
  t.equal(await input.fill(0), EOF);
});

t.test('waitForData: looks for bytes without consuming them (earlytalker)', async (t) => {
  const waiting = new Input(scripted(['HELO x\r\n']));
  t.equal(await waiting.waitForData(50), true, 'bytes that are there');
  t.equal(await waiting.waitForData(50), true, 'still there: nothing was consumed');
  t.equal(((await waiting.readLine(100, 0)) as Buffer).toString(), 'HELO x', 'the next read gets them');

  const source = manual();
  const quiet = new Input(source);
  t.equal(await quiet.waitForData(20), false, 'nothing within the time');
  source.push('LATE\r\n');
  t.equal(((await quiet.readLine(100, 0)) as Buffer).toString(), 'LATE', 'a later chunk is not lost');

  t.equal(await new Input(scripted([])).waitForData(20), false, 'the end of input is no bytes');
  t.equal(await new Input(scripted(['x'])).waitForData(0), true, 'wait 0 still sees what was sent');
});

t.test('fill joins what is left with the new chunk', async (t) => {
  const input = new Input(scripted(['ab', 'cd']));
  await input.fill(0);
  input.consume(1);
  await input.fill(0);
  t.equal(input.available().toString(), 'bcd');
});

t.test('streamSource: chunks of a stream, then the end', async (t) => {
  const stream = new PassThrough();
  const errors: Error[] = [];
  const input = new Input(streamSource(stream, (err) => errors.push(err)));
  stream.write('HELO a\r\nNO');
  setTimeout(() => {
    stream.write('OP\r\n');
    stream.end('QUIT');
  }, 10);
  t.strictSame(await readAll(input), ['HELO a', 'NOOP', 'QUIT', EOF]);
  t.strictSame(errors, []);
});

t.test('streamSource: an error ends the input and is reported', async (t) => {
  const stream = new PassThrough();
  const errors: Error[] = [];
  const input = new Input(streamSource(stream, (err) => errors.push(err)));
  stream.write('A\n');
  setTimeout(() => stream.destroy(new Error('reset')), 10);
  t.strictSame(await readAll(input), ['A', EOF]);
  t.equal(errors.length, 1);
  t.equal(errors[0]!.message, 'reset');
});

t.test('streamSource: the stream is paused while chunks wait', async (t) => {
  const stream = new PassThrough();
  const source = streamSource(stream, () => undefined);
  stream.write('one');
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(stream.isPaused(), 'paused after a chunk arrived and nobody read it');
  t.equal((await source.next())!.toString(), 'one');
  stream.end();
  t.equal(await source.next(), null);
});
