// Pipes are read and written without Node's stream objects while that cannot
// block (src/io/transport.ts); these tests cover the moments it would: a
// writer that is slower than the server, a reader that falls behind a long
// reply stream, and an idle pipe that must still time out.

import { spawn } from 'node:child_process';
import t from 'tap';
import { BINARY, ME, cleanEnv, makeWorkDir, requireBinary } from '../helpers/e2e';

requireBinary();

interface Run {
  stdout: Buffer;
  code: number | null;
  ms: number;
}

/** Runs the binary with pipes on both ends; `feed` writes stdin, `readDelayMs` holds back reading stdout. */
function runPiped(args: string[], feed: (stdin: NodeJS.WritableStream) => void, readDelayMs = 0): Promise<Run> {
  const started = Date.now();
  const child = spawn(BINARY, args, { env: cleanEnv({ TCPREMOTEIP: '192.0.2.5' }), stdio: ['pipe', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout.pause();
  setTimeout(() => {
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
  }, readDelayMs);
  feed(child.stdin);
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks), code, ms: Date.now() - started }));
  });
}

const GREETING = `220 ${ME} ESMTP qpsmtpd`;

t.test('a writer slower than the server: the rest arrives through the stream', async (t) => {
  const w = makeWorkDir(t, { config: { loglevel: '0' } });
  const run = await runPiped(w.args, (stdin) => {
    stdin.write('HELO slow.example\r\n');
    setTimeout(() => stdin.write('NO'), 200);
    setTimeout(() => stdin.write('OP\r\n'), 400);
    setTimeout(() => stdin.end('QUIT\r\n'), 600);
  });
  const lines = run.stdout.toString('utf8').split('\r\n');
  t.equal(run.code, 0);
  t.ok(lines[0]!.startsWith(GREETING));
  t.same(lines.slice(1), [
    `250 ${ME} Hi [192.0.2.5] [192.0.2.5]; I am so happy to meet you.`,
    '250 OK',
    `221 ${ME} closing connection. Have a wonderful day.`,
    '',
  ]);
});

t.test('a reader that falls behind 100 KB of replies gets all of them, in order', async (t) => {
  const w = makeWorkDir(t, { config: { loglevel: '0' } });
  const noops = 15000; // "250 OK\r\n" x 15000 = 120 KB, more than a pipe holds
  const run = await runPiped(w.args, (stdin) => stdin.end(`${'NOOP\r\n'.repeat(noops)}QUIT\r\n`), 500);
  const lines = run.stdout.toString('utf8').split('\r\n');
  t.equal(run.code, 0);
  t.equal(lines.length, noops + 3, 'greeting, the NOOP replies, QUIT, and the empty end');
  t.ok(lines.slice(1, noops + 1).every((l) => l === '250 OK'), 'every NOOP answered');
  t.equal(lines[noops + 1], `221 ${ME} closing connection. Have a wonderful day.`);
});

t.test('an idle pipe that stays open still times out (decision 2), and the process ends', async (t) => {
  const w = makeWorkDir(t, { config: { loglevel: '0', timeout: '1' } });
  let stdinRef: NodeJS.WritableStream | undefined;
  const run = await runPiped(w.args, (stdin) => {
    stdinRef = stdin;
    stdin.write('HELO idle.example\r\n'); // and then nothing, with the pipe left open
  });
  stdinRef?.end();
  const lines = run.stdout.toString('utf8').split('\r\n');
  t.equal(run.code, 0);
  t.same(lines.slice(1), [
    `250 ${ME} Hi [192.0.2.5] [192.0.2.5]; I am so happy to meet you.`,
    `421 ${ME} Timeout, closing transmission channel`,
    '',
  ]);
  t.ok(run.ms < 5000, `ended after the 1 s timeout, not when the writer closed (${run.ms} ms)`);
});
