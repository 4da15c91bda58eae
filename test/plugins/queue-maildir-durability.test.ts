// queue/maildir never loses or half-writes a message it answered for:
//  - the order of system calls, seen by strace on the real binary: each copy
//    is written in tmp/, fsync'ed, renamed into new/, and new/ itself is
//    fsync'ed, all before "250 Queued!" is written to the client;
//  - kill -9 at any moment (while the message streams in, between the final
//    dot and the reply, right after the reply): new/ only ever holds whole
//    messages, and a message the client saw 250 for is there.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BINARY, cleanEnv, makeWorkDir, requireProgram, runProgram } from '../helpers/e2e';

const STRACE = requireProgram('strace', 'strace');
const ENV = cleanEnv({ TCPREMOTEIP: '127.0.0.1', TCPREMOTEPORT: '40000', TCPLOCALIP: '127.0.0.1', TCPLOCALPORT: '25' });

const ENVELOPE = 'HELO x\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<one@example.com>\r\nRCPT TO:<two@example.com>\r\nDATA\r\n';

/** A message of about `size` bytes with numbered lines, so a cut shows. */
function message(size: number): string {
  const lines = ['Subject: durability', ''];
  for (let i = 0, n = 0; n < size; i++) {
    const line = `line ${i} ${'x'.repeat(60)}`;
    lines.push(line);
    n += line.length + 2;
  }
  return `${lines.join('\r\n')}\r\n`;
}

interface Syscall {
  call: string;
  text: string;
}

/** strace -f lines of the calls we follow: "PID call(args) = result". */
function syscalls(trace: string): Syscall[] {
  return trace
    .split('\n')
    .map((line) => /^\d+\s+(\w+)\((.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ call: m[1]!, text: m[2]! }));
}

for (const [what, plugin, dirs] of [
  ['one maildir', 'queue/maildir @WORK@/maildir', ['maildir']],
  ['a maildir per recipient (%l)', 'queue/maildir @WORK@/boxes %l', ['boxes/one', 'boxes/two']],
] as const) {
  t.test(`${what}: fsync of the file and of new/ come before 250`, async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', plugin] } });
    const traceFile = join(work.dir, 'trace');
    const input = `${ENVELOPE}${message(2000)}.\r\nQUIT\r\n`;
    const run = runProgram(
      STRACE,
      ['-f', '-qq', '-s', '200', '-e', 'trace=openat,write,fsync,fdatasync,rename,renameat,renameat2', '-o', traceFile, BINARY, ...work.args],
      { env: ENV, input },
    );
    t.match(run.stdout, /\r\n250 Queued! \r\n221 /, 'the message was queued');
    const calls = syscalls(readFileSync(traceFile, 'utf8'));
    const queued = calls.findIndex((c) => c.call === 'write' && c.text.startsWith('1, "250 Queued!'));
    t.ok(queued > 0, 'strace saw the 250 being written');

    for (const dir of dirs) {
      const base = join(work.dir, dir);
      const open = calls.findIndex((c) => c.call === 'openat' && c.text.includes(`"${base}/tmp/`) && c.text.includes('O_CREAT'));
      t.ok(open >= 0, `${dir}: the copy is created in tmp/`);
      const fd = /= (\d+)$/.exec(calls[open]?.text ?? '')?.[1];
      const fsyncFile = calls.findIndex((c, i) => i > open && c.call === 'fsync' && c.text.startsWith(`${fd})`));
      const rename = calls.findIndex((c, i) => i > fsyncFile && c.call.startsWith('rename') && c.text.includes(`"${base}/new/`));
      const openNew = calls.findIndex((c, i) => i > rename && c.call === 'openat' && c.text.includes(`"${base}/new"`) && c.text.includes('O_DIRECTORY'));
      const dirFd = /= (\d+)$/.exec(calls[openNew]?.text ?? '')?.[1];
      const fsyncDir = calls.findIndex((c, i) => i > openNew && c.call === 'fsync' && c.text.startsWith(`${dirFd})`));
      t.ok(fsyncFile > open, `${dir}: the file is fsync'ed`);
      t.ok(rename > fsyncFile, `${dir}: then renamed into new/`);
      t.ok(fsyncDir > rename, `${dir}: then new/ is fsync'ed`);
      t.ok(fsyncDir < queued, `${dir}: all before 250 Queued! is written`);
    }
  });
}

/** Files in new/ of the maildir: name -> content. */
function newFiles(maildir: string): string[] {
  return readdirSync(join(maildir, 'new')).map((name) => readFileSync(join(maildir, 'new', name), 'latin1'));
}

// Moments to kill at: while the body streams in (after n bytes of it), after
// the final dot with a delay of d ms (somewhere in the write, fsync, rename),
// and right after the 250.
const MOMENTS: { name: string; afterBodyBytes?: number; afterDotMs?: number; after250?: boolean }[] = [
  { name: 'after 100 KB of the body', afterBodyBytes: 100_000 },
  { name: 'after 1.5 MB of the body', afterBodyBytes: 1_500_000 },
  ...[0, 1, 2, 3, 5, 8, 12, 20, 40].map((ms) => ({ name: `${ms} ms after the final dot`, afterDotMs: ms })),
  { name: 'right after the 250', after250: true },
];

t.test('kill -9 at any moment leaves only whole messages in new/', async (t) => {
  const body = message(2_000_000);
  // What a whole stored message ends with (the server stores LF line ends).
  const storedBody = body.replace(/\r\n/g, '\n');
  for (const moment of MOMENTS) {
    await t.test(moment.name, async (t) => {
      const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
      const child = spawn(BINARY, work.args, { env: ENV, stdio: ['pipe', 'pipe', 'ignore'] });
      child.stdin.on('error', () => undefined);
      let output = '';
      let saw250 = false;
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const replied = new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('latin1');
          if (/\r\n250 Queued!/.test(output)) {
            saw250 = true;
            if (moment.after250) child.kill('SIGKILL');
          }
          if (output.includes('354 ')) resolve();
        }),
      );
      child.stdin.write(ENVELOPE);
      await replied;
      if (moment.afterBodyBytes !== undefined) {
        child.stdin.write(body.slice(0, moment.afterBodyBytes), () => setTimeout(() => child.kill('SIGKILL'), 20));
      } else {
        child.stdin.write(`${body}.\r\n`, () => {
          if (moment.afterDotMs !== undefined) setTimeout(() => child.kill('SIGKILL'), moment.afterDotMs);
        });
      }
      await exited;
      const files = newFiles(work.maildir);
      t.ok(files.length <= 1, 'at most the one message is in new/');
      for (const file of files) t.ok(file.endsWith(`\n\n${storedBody.split('\n\n').slice(1).join('\n\n')}`), 'the message in new/ is whole');
      if (saw250) t.equal(files.length, 1, 'the client saw 250, so the message is in new/');
      if (moment.afterBodyBytes !== undefined) t.equal(files.length, 0, 'a message cut off before its final dot is never delivered');
    });
  }
});
