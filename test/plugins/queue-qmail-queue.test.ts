// queue/qmail-queue through dist/qpsmtpd. Debian has no qmail, so the
// program on the other side is test/fixtures/fake-qmail-queue.py, a small
// qmail-queue-compatible program written for these tests: it reads the
// message from fd 0 and the envelope from fd 1 as qmail-queue does (and
// checks the envelope's format as qmail-queue does), writes what it got to
// files, and exits with the status it is told to ($FAKE_QQ_EXIT), or exits
// early, crashes or hangs ($FAKE_QQ_MODE).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { crlf, pluginSession } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { checkMessage, ourTrace } from '../fixtures/queue-trace';

const FAKE = join(__dirname, '../fixtures/fake-qmail-queue.py');

const LINES = ['Subject: qmail-queue test', 'Message-Id: <qq1@x.test>', '', 'first line', '..a dotted line', '', 'L'.repeat(5000), 'last'];
const SENT = Buffer.concat([Buffer.from(crlf(...LINES)), Buffer.from('8bit \xe9 line\r\n', 'latin1')]);
const STORED = Buffer.concat([
  Buffer.from(LINES.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\n') + '\n'),
  Buffer.from('8bit \xe9 line\n', 'latin1'),
]);

function session(from: string, rcpts: string[], message: Buffer = SENT): Buffer {
  return Buffer.concat([
    Buffer.from(crlf('HELO x', `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA')),
    message,
    Buffer.from(crlf('.', 'QUIT')),
  ]);
}

/** A directory for the fake's files, and the environment that points it there. */
function fakeDir(t: Test, env: Record<string, string> = {}): { dir: string; env: Record<string, string>; file(name: string): Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-fake-qq-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, env: { FAKE_QQ_DIR: dir, ...env }, file: (name) => readFileSync(join(dir, name)) };
}

const queue = (path = FAKE, extra = ''): string[] => ['rcpt_ok', `queue/qmail-queue ${path}${extra}`.trim()];

t.test('two recipients: the message on fd 0 byte for byte, the envelope on fd 1', async (t) => {
  const fake = fakeDir(t);
  const before = Math.floor(Date.now() / 1000);
  const r = await pluginSession(t, session('s@x.test', ['a@example.com', 'b@example.com']), { plugins: queue(), env: fake.env });
  const pid = Number(fake.file('pid').toString());
  const queued = /^250 Queued! (\d+) qp (\d+) <qq1@x\.test>$/.exec(r.lines[6] ?? '');
  t.ok(queued, r.lines[6]);
  t.ok(Number(queued?.[1]) >= before && Number(queued?.[1]) <= Date.now() / 1000, 'the time is now');
  t.equal(Number(queued?.[2]), pid, "qp <the child's pid>");
  t.equal(fake.file('envelope').toString(), 'Fs@x.test\0Ta@example.com\0Tb@example.com\0\0');
  checkMessage(t, 'fd 0', fake.file('message'), ourTrace(), STORED);
});

t.test('the null sender, and a message without Message-Id: "<>"', async (t) => {
  const fake = fakeDir(t);
  const r = await pluginSession(t, session('', ['a@example.com'], Buffer.from(crlf('Subject: bounce', '', 'sorry'))), { plugins: queue(), env: fake.env });
  t.match(r.lines[5], /^250 Queued! \d+ qp \d+ <>$/);
  t.equal(fake.file('envelope').toString(), 'F\0Ta@example.com\0\0');
});

t.test('which program: QMAILQUEUE, then the argument, then $QMAIL/bin/qmail-queue, then /var/qmail', async (t) => {
  const message = session('s@x.test', ['a@example.com']);
  t.test('QMAILQUEUE overrides the argument', async (t) => {
    const fake = fakeDir(t, { QMAILQUEUE: FAKE });
    const r = await pluginSession(t, message, { plugins: queue('/nonexistent/qmail-queue'), env: fake.env });
    t.match(r.lines[5], /^250 Queued! /);
  });
  t.test('$QMAIL/bin/qmail-queue without an argument', async (t) => {
    const fake = fakeDir(t);
    mkdirSync(join(fake.dir, 'bin'));
    symlinkSync(FAKE, join(fake.dir, 'bin', 'qmail-queue'));
    const r = await pluginSession(t, message, { plugins: ['rcpt_ok', 'queue/qmail-queue'], env: { ...fake.env, QMAIL: fake.dir } });
    t.match(r.lines[5], /^250 Queued! /);
  });
  t.test('/var/qmail/bin/qmail-queue by default (not installed here)', async (t) => {
    const r = await pluginSession(t, message, { plugins: ['rcpt_ok', 'queue/qmail-queue'] });
    t.equal(r.lines[5], '452 Unable to queue message (cannot run /var/qmail/bin/qmail-queue: no such file or directory)');
  });
  t.test('a path that is not absolute stops the start-up', async (t) => {
    const r = await pluginSession(t, crlf('QUIT'), { plugins: ['queue/qmail-queue bin/qmail-queue'] });
    t.match(r.lines[0], /^421 /);
  });
});

t.test('exit codes as qmail-queue(8) documents them: 11-40 permanent, the rest temporary', async (t) => {
  const cases: [number, string][] = [
    [11, '552 Unable to queue message (qmail-queue exited with status 11: address too long)'],
    [31, '552 Unable to queue message (qmail-queue exited with status 31: mail server permanently refuses to send the message to any recipients)'],
    [40, '552 Unable to queue message (qmail-queue exited with status 40: permanent problem)'],
    [51, '452 Unable to queue message (qmail-queue exited with status 51: out of memory)'],
    [53, '452 Unable to queue message (qmail-queue exited with status 53: write error, e.g. disk full)'],
    [54, '452 Unable to queue message (qmail-queue exited with status 54: unable to read the message or envelope)'],
    [71, '452 Unable to queue message (qmail-queue exited with status 71: mail server temporarily refuses to send the message to any recipients)'],
    [81, '452 Unable to queue message (qmail-queue exited with status 81: internal bug, e.g. segmentation fault)'],
    [91, '452 Unable to queue message (qmail-queue exited with status 91: envelope format error)'],
    [1, '452 Unable to queue message (qmail-queue exited with status 1: temporary problem)'],
    [100, '452 Unable to queue message (qmail-queue exited with status 100: temporary problem)'],
  ];
  for (const [code, reply] of cases) {
    const fake = fakeDir(t, { FAKE_QQ_EXIT: String(code) });
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: queue(), env: fake.env });
    t.equal(r.lines[5], reply, `exit ${code}`);
  }
});

t.test('a child that exits early', async (t) => {
  const big = (t: Test, env: Record<string, string>) =>
    bigMessageSession(t, { plugins: queue(), env: fakeDir(t, env).env, sender: 's@x.test', recipients: ['a@example.com'], megabytes: 20 });
  t.test('with a refusal: the exit status counts, not the broken pipe', async (t) => {
    const r = await big(t, { FAKE_QQ_MODE: 'exit-early', FAKE_QQ_EXIT: '31' });
    t.equal(r.lines[5], '552 Unable to queue message (qmail-queue exited with status 31: mail server permanently refuses to send the message to any recipients)');
  });
  t.test('claiming success without reading the message: a temporary failure', async (t) => {
    const r = await big(t, { FAKE_QQ_MODE: 'exit-early', FAKE_QQ_EXIT: '0' });
    t.equal(r.lines[5], '452 Unable to queue message (qmail-queue exited with status 0 without reading all of its input)');
  });
});

t.test('a child that crashes', async (t) => {
  const fake = fakeDir(t, { FAKE_QQ_MODE: 'crash' });
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: queue(), env: fake.env });
  t.equal(r.lines[5], '452 Unable to queue message (qmail-queue was killed by SIGSEGV)');
});

t.test('a child that hangs is killed after the timeout', async (t) => {
  t.test('after taking the message, waiting for it to finish', async (t) => {
    const fake = fakeDir(t, { FAKE_QQ_MODE: 'hang' });
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: queue(FAKE, ' timeout 1'), env: fake.env });
    t.equal(r.lines[5], '452 Unable to queue message (qmail-queue did not exit within 1 s)');
  });
  t.test('not reading the message', async (t) => {
    const fake = fakeDir(t, { FAKE_QQ_MODE: 'hang' });
    const r = await bigMessageSession(t, { plugins: queue(FAKE, ' timeout 1'), env: fake.env, sender: 's@x.test', recipients: ['a@example.com'], megabytes: 20 });
    t.equal(r.lines[5], '452 Unable to queue message (qmail-queue took no data within 1 s)');
  });
});

t.test("the child's stderr goes to the log", async (t) => {
  const fake = fakeDir(t, { FAKE_QQ_MODE: 'stderr' });
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: queue(), env: fake.env });
  t.match(r.lines[5], /^250 Queued! /);
  t.match(r.stderr, `${FAKE} said: fake-qmail-queue: something to say`);
});

t.test('a 200 MB message is streamed: peak RSS under 100 MB, received byte for byte', async (t) => {
  const fake = fakeDir(t);
  const r = await bigMessageSession(t, {
    plugins: queue(),
    env: fake.env,
    config: { databytes: '0' },
    sender: 's@x.test',
    recipients: ['a@example.com'],
    megabytes: 200,
  });
  t.match(r.lines[5], /^250 Queued! \d+ qp \d+ <big@x\.test>$/);
  t.ok(r.peakKb < 100 * 1024, `peak RSS ${Math.round(r.peakKb / 1024)} MB`);
  checkMessage(t, 'fd 0', fake.file('message'), ourTrace('big.test'), r);
  t.equal(fake.file('envelope').toString(), 'Fs@x.test\0Ta@example.com\0\0');
});
