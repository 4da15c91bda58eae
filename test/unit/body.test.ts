// src/message/body.ts: message bytes in memory below size_threshold, in a
// spool file from it on (behavior §6.2, decision 9).

import { existsSync, readFileSync, statSync } from 'node:fs';
import t from 'tap';
import { BodyStore } from '../../src/message/body';
import { testSpool } from '../helpers/spool';

function store(threshold: number): { body: BodyStore; spool: ReturnType<typeof testSpool> } {
  const spool = testSpool(threshold);
  const body = new BodyStore(threshold, spool.tempPath);
  t.teardown(() => {
    body.destroy();
    spool.cleanup();
  });
  return { body, spool };
}

function lines(body: BodyStore): string[] {
  const out: string[] = [];
  for (let line = body.getLine(); line !== undefined; line = body.getLine()) out.push(line.toString('latin1'));
  return out;
}

function collect(gen: Iterable<Buffer>): string {
  return Buffer.concat([...gen]).toString('latin1');
}

t.test('below the threshold the message stays in memory', async (t) => {
  const { body, spool } = store(10);
  body.write(Buffer.from('12345'));
  body.write(Buffer.from('678'));
  t.equal(body.dataSize, 8);
  t.notOk(body.isSpooled);
  t.equal(body.filename, undefined);
  t.equal(body.fileDescriptor, undefined);
  t.strictSame(spool.files(), [], 'no file in the spool');
});

t.test('write() keeps no reference to the caller\'s buffer: the receiver reuses one for every write', async (t) => {
  for (const threshold of [1000, 0]) {
    const { body } = store(threshold);
    const reused = Buffer.from('first\n');
    body.write(reused);
    reused.write('XXXXX\n');
    body.write(reused.subarray(0, 3));
    t.equal(collect(body.chunksFrom(0)), 'first\nXXX', threshold ? 'in memory' : 'spooled');
  }
});

t.test('reaching the threshold spools (>=, as qpsmtpd)', async (t) => {
  const { body, spool } = store(10);
  body.write(Buffer.from('12345'));
  body.write(Buffer.from('67890'));
  t.ok(body.isSpooled, 'exactly the threshold spools');
  t.strictSame(spool.files(), ['t0']);
  t.equal(body.filename, `${spool.dir}/t0`);
  t.equal(readFileSync(body.filename!, 'latin1'), '1234567890', 'what was in memory went to the file');
  body.write(Buffer.from('abc'));
  t.equal(readFileSync(body.filename!, 'latin1'), '1234567890abc', 'later writes are appended');
  t.equal(body.dataSize, 13);
  t.equal(statSync(body.filename!).mode & 0o777, 0o600, 'the spool file is private');
});

t.test('size_threshold 0: the first write spools', async (t) => {
  const { body, spool } = store(0);
  t.notOk(body.isSpooled, 'nothing written, no file');
  body.write(Buffer.alloc(0));
  t.notOk(body.isSpooled, 'an empty write creates no file');
  body.write(Buffer.from('x'));
  t.ok(body.isSpooled);
  t.strictSame(spool.files(), ['t0']);
});

t.test('spool(): forced, returns the path, only once', async (t) => {
  const { body, spool } = store(1000);
  body.write(Buffer.from('a\nb\n'));
  const path = body.spool();
  t.equal(path, `${spool.dir}/t0`);
  t.equal(body.spool(), path, 'same file the second time');
  t.equal(readFileSync(path, 'latin1'), 'a\nb\n');
  t.strictSame(spool.files(), ['t0']);
});

for (const [mode, threshold] of [['memory', 1 << 20], ['spool', 0]] as const) {
  t.test(`${mode}: body start, getLine and resetPos`, async (t) => {
    const { body } = store(threshold);
    body.write(Buffer.from('H: 1\nH: 2\n'));
    body.markBodyStart();
    body.write(Buffer.from('\nline one\nline'));
    body.write(Buffer.from(' two\nlast'));
    t.equal(body.isSpooled, mode === 'spool');
    t.equal(body.bodyStart, 10, 'a byte offset');
    t.equal(body.dataSize, 33);
    t.strictSame(lines(body), ['H: 1\n', 'H: 2\n', '\n', 'line one\n', 'line two\n', 'last'], 'before resetPos, reading starts at the top of the message');
  });

  t.test(`${mode}: reading from the body start`, async (t) => {
    const { body } = store(threshold);
    body.write(Buffer.from('H: 1\nH: 2\n'));
    body.markBodyStart();
    body.write(Buffer.from('\nline one\nline'));
    body.write(Buffer.from(' two\nlast'));
    body.resetPos();
    t.strictSame(lines(body), ['\n', 'line one\n', 'line two\n', 'last'], 'the last line may lack its newline');
    t.equal(body.getLine(), undefined, 'still at the end');
    body.resetPos();
    t.equal(body.getLine()!.toString(), '\n', 'resetPos goes back to the body start');
    t.equal(collect(body.chunksFrom(0)), 'H: 1\nH: 2\n\nline one\nline two\nlast');
    t.equal(collect(body.chunksFrom(body.bodyStart)), '\nline one\nline two\nlast');
    t.equal(collect(body.chunksFrom(33)), '', 'from the end: nothing');
  });

  t.test(`${mode}: writes after reading are appended`, async (t) => {
    const { body } = store(threshold);
    body.write(Buffer.from('a\n'));
    body.resetPos();
    t.equal(body.getLine()!.toString(), 'a\n');
    body.write(Buffer.from('b\n'));
    t.equal(body.getLine()!.toString(), 'b\n', 'reading goes on where it stopped');
    t.equal(collect(body.chunksFrom(0)), 'a\nb\n');
  });
}

t.test('a line longer than the read chunk is read whole from the spool', async (t) => {
  const { body } = store(0);
  const long = 'x'.repeat(200 * 1024);
  body.write(Buffer.from(`${long}\nshort\n`));
  body.resetPos();
  const first = body.getLine()!;
  t.equal(first.length, long.length + 1);
  t.equal(body.getLine()!.toString(), 'short\n');
});

t.test('chunksFrom a spool file comes in bounded pieces', async (t) => {
  const { body } = store(0);
  body.write(Buffer.alloc(300 * 1024, 0x61));
  let pieces = 0;
  let total = 0;
  for await (const chunk of body.chunksFrom(0)) {
    pieces++;
    total += chunk.length;
    t.ok(chunk.length <= 64 * 1024, 'at most 64 KiB');
  }
  t.equal(total, 300 * 1024);
  t.equal(pieces, 5);
});

t.test('switching to the spool keeps the read position and body start', async (t) => {
  const { body } = store(12);
  body.write(Buffer.from('A: 1\n'));
  body.markBodyStart();
  body.write(Buffer.from('\nab\n'));
  t.notOk(body.isSpooled);
  body.resetPos();
  t.equal(body.getLine()!.toString(), '\n');
  body.write(Buffer.from('cdefgh\n'));
  t.ok(body.isSpooled);
  t.equal(body.getLine()!.toString(), 'ab\n');
  t.equal(body.getLine()!.toString(), 'cdefgh\n');
  t.equal(body.bodyStart, 5);
});

t.test('destroy deletes the spool file', async (t) => {
  const { body, spool } = store(0);
  body.write(Buffer.from('x'));
  const path = body.filename!;
  t.ok(existsSync(path));
  body.destroy();
  t.notOk(existsSync(path));
  t.strictSame(spool.files(), []);
  t.equal(body.filename, undefined);
  t.notOk(body.isSpooled);
  body.destroy();
  t.pass('a second destroy does no harm');
});

t.test('destroy of a file already removed does not throw', async (t) => {
  const { body } = store(0);
  body.write(Buffer.from('x'));
  const { unlinkSync } = await import('node:fs');
  unlinkSync(body.filename!);
  t.doesNotThrow(() => body.destroy());
});

t.test('an empty store', async (t) => {
  const { body } = store(10);
  t.equal(body.dataSize, 0);
  t.equal(body.bodyStart, 0);
  body.resetPos();
  t.equal(body.getLine(), undefined);
  t.equal(collect(body.chunksFrom(0)), '');
});
