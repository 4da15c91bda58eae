// queue/lmtp through dist/qpsmtpd against a real Dovecot LMTP server, a
// private instance started here (test/plugins/queue-peers/dovecot.ts) with
// Maildirs in a temp dir: what Dovecot stored is read back from the files
// (and counted with doveadm). Dovecot's quota gives the refusals after the
// final dot, temporary and permanent, and its userdb the refusals at RCPT
// TO. The failures Dovecot cannot be made to produce (silence, a connection
// closed between the per-recipient replies) come from a small server
// written here.

import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp } from '../helpers/e2e';
import { BYE, crlf, GO_AHEAD, GREETING, HELO_OK, ME, pluginSession, RCPT_OK, SENDER_OK, VERSION } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { startDovecot, type Dovecot } from './queue-peers/dovecot';
import { fileDigestFrom, messageDigest } from './queue-peers/digest';
import { startScripted } from './queue-peers/scripted';

/** The message as the client sends it, and as Dovecot stores it (LF line ends, dot-stuffing undone, the bare LF's "." kept as data). */
const LONG = 'L'.repeat(998);
const SENT = Buffer.from(
  crlf('Subject: lmtp test', 'Message-Id: <lmtp1@x.test>', '', 'first line', '..a dotted line', '..', 'tab\there  ', LONG) + 'bare\nLF\r\nsmuggle\n.\r\n8bit \xe9\xe8\r\nlast\r\n',
  'latin1',
);
const STORED = Buffer.from(
  ['Subject: lmtp test', 'Message-Id: <lmtp1@x.test>', '', 'first line', '.a dotted line', '.', 'tab\there  ', LONG, 'bare', 'LF', 'smuggle', '.', '8bit \xe9\xe8', 'last', ''].join('\n'),
  'latin1',
);

const OUR_TRACE = `${escapeRegExp(`Authentication-Results: ${ME}; auth=none\nReceived: from [127.0.0.1] (HELO x) (127.0.0.1)\n by ${ME} (qpsmtpd-ts/${VERSION}) with SMTP ; `)}${DATE_PATTERN}\\n`;

function session(from: string, rcpts: string[], message: Buffer = SENT): Buffer {
  return Buffer.concat([
    Buffer.from(crlf('HELO x', `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA')),
    message,
    Buffer.from(crlf('.', 'QUIT')),
  ]);
}

function replies(from: string, rcpts: string[], queueReply: string | string[]): string[] {
  return [GREETING, HELO_OK, SENDER_OK(`<${from}>`), ...rcpts.map((r) => RCPT_OK(`<${r}>`)), GO_AHEAD, ...[queueReply].flat(), BYE];
}

function lmtp(where: string, ...extra: string[]): string[] {
  return ['rcpt_ok', ['queue/lmtp', where, ...extra].join(' ')];
}

let dovecot: Dovecot;
t.before(async () => {
  dovecot = await startDovecot(t);
});

/** Checks a stored copy: Dovecot's Return-Path, Delivered-To and Received, our trace headers, then the message byte for byte. */
function checkStored(t: Test, user: string, sender: string, message: Buffer = STORED): void {
  const [file, ...more] = dovecot.delivered(user);
  t.same(more, [], `${user}: one message`);
  const text = file?.toString('latin1') ?? '';
  // Dovecot names the recipient (Delivered-To, "for <...>") only when there is one, and the client's address only over TCP.
  const dovecotHead =
    `${escapeRegExp(`Return-Path: <${sender}>\n`)}(?:${escapeRegExp(`Delivered-To: ${user}@example.com\n`)})?` +
    `${escapeRegExp(`Received: from ${ME}`)}(?: \\(\\[127\\.0\\.0\\.1\\]\\))?\\n` +
    `\\tby \\S+ with LMTP\\n\\tid \\S+\\n\\t${escapeRegExp(`(envelope-from <${sender}>)`)}(?:\\n\\tfor <${escapeRegExp(`${user}@example.com`)}>)?; ${DATE_PATTERN}\\n`;
  const head = new RegExp(`^${dovecotHead}${OUR_TRACE}`).exec(text);
  t.ok(head, `${user}: Dovecot's Return-Path, Delivered-To and Received, then ours\n${text.slice(0, 600)}`);
  const rest = file?.subarray(head ? Buffer.byteLength(head[0], 'latin1') : 0) ?? Buffer.alloc(0);
  if (message.length < 100000) t.equal(rest.toString('latin1'), message.toString('latin1'), `${user}: the message byte for byte`);
  else t.ok(rest.equals(message), `${user}: the message byte for byte (${message.length} bytes)`);
}

t.test('Unix socket: every recipient gets the message byte for byte; 250 after all of them', async (t) => {
  const rcpts = ['a@example.com', 'b@example.com', 'a@example.com'];
  const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(dovecot.socket) });
  t.same(r.lines, replies('s@x.test', rcpts, '250 delivered to 2 recipients'), r.stderr);
  checkStored(t, 'a', 's@x.test');
  checkStored(t, 'b', 's@x.test');
  t.match(dovecot.doveadm('mailbox', 'status', '-u', 'a@example.com', 'messages', 'INBOX'), /messages=1/, 'doveadm counts one message for a (the repeated recipient once)');
  t.match(r.stderr, new RegExp(`delivering to ${escapeRegExp(dovecot.socket)}`));
  t.match(r.stderr, /<a@example\.com>: 250 2\.0\.0 <a@example\.com> \S+ Saved/);
});

t.test('host:port, and the null sender', async (t) => {
  const r = await pluginSession(t, session('', ['c@example.com']), { plugins: lmtp(`127.0.0.1:${dovecot.port}`) });
  t.same(r.lines, replies('', ['c@example.com'], '250 delivered to 1 recipient'), r.stderr);
  checkStored(t, 'c', '');
});

t.test('a recipient refused at RCPT TO: nothing is sent to anyone, the refusal is passed back', async (t) => {
  const cases: [string[], string][] = [
    [['b@example.com', 'nosuchuser@example.com'], "552 5.1.1 <nosuchuser@example.com> User doesn't exist: nosuchuser@example.com"],
    [['overquota@example.com', 'b@example.com'], '452 4.2.2 <overquota@example.com> Quota exceeded (mailbox for user is full)'],
  ];
  const before = dovecot.delivered('b').length;
  for (const [rcpts, reply] of cases) {
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(dovecot.socket) });
    t.same(r.lines, replies('s@x.test', rcpts, reply), r.stderr);
  }
  t.equal(dovecot.delivered('b').length, before, 'b got nothing');
});

t.test('refused after the final dot for every recipient: the refusal (any 4xx: 452, else 552)', async (t) => {
  const cases: [string[], string | string[]][] = [
    [['full@example.com'], '552 5.2.2 <full@example.com> Quota exceeded (mailbox for user is full)'],
    [['busy@example.com'], '452 4.2.2 <busy@example.com> Quota exceeded (mailbox for user is full)'],
    [
      ['full@example.com', 'busy@example.com'],
      ['452-5.2.2 <full@example.com> Quota exceeded (mailbox for user is full)', '452 4.2.2 <busy@example.com> Quota exceeded (mailbox for user is full)'],
    ],
  ];
  for (const [rcpts, reply] of cases) {
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(dovecot.socket) });
    t.same(r.lines, replies('s@x.test', rcpts, reply), r.stderr);
  }
  t.same(dovecot.delivered('full'), [], 'nothing stored for full');
  t.same(dovecot.delivered('busy'), [], 'nothing stored for busy');
});

t.test('mixed after the final dot, permanent refusal: 552 naming who has the message (a retry could only duplicate)', async (t) => {
  const rcpts = ['full@example.com', 'd@example.com'];
  const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(dovecot.socket) });
  t.same(
    r.lines,
    replies('s@x.test', rcpts, [
      '552-5.2.2 <full@example.com> Quota exceeded (mailbox for user is full)',
      '552 the message was delivered to the other recipients: <d@example.com>',
    ]),
    r.stderr,
  );
  checkStored(t, 'd', 's@x.test');
  t.match(r.stderr, /warn \(queue\) queue::lmtp: delivered to <d@example\.com>; refused for 1 recipient\(s\)/);
});

t.test('mixed after the final dot, temporary refusal: 452, so the client tries again (a duplicate for the others, no loss)', async (t) => {
  const rcpts = ['e@example.com', 'busy@example.com'];
  const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(dovecot.socket) });
  t.same(
    r.lines,
    replies('s@x.test', rcpts, [
      '452-4.2.2 <busy@example.com> Quota exceeded (mailbox for user is full)',
      '452 the message was delivered to the other recipients: <e@example.com>; a retry delivers it to them again',
    ]),
    r.stderr,
  );
  checkStored(t, 'e', 's@x.test');
});

t.test('a 200 MB message streams through with a small peak RSS, byte for byte', async (t) => {
  const big = await bigMessageSession(t, {
    plugins: lmtp(dovecot.socket),
    config: { databytes: '0' },
    sender: 'big@x.test',
    recipients: ['big@example.com'],
    megabytes: 200,
  });
  t.equal(big.lines.at(-2), '250 delivered to 1 recipient', big.stderr.slice(-2000));
  t.ok(big.peakKb < 100 * 1024, `peak RSS ${Math.round(big.peakKb / 1024)} MiB is under 100 MiB`);
  const [file, ...more] = dovecot.deliveredFiles('big');
  t.same(more, [], 'one message');
  // After Dovecot's and our trace headers comes the message, which starts with its Subject.
  const copy = fileDigestFrom(file ?? '/nonexistent', 'Subject: big\n');
  const expected = big.expected();
  t.ok(copy.found, 'the message is there');
  t.equal(copy.length, expected.length, 'the length sent');
  t.equal(copy.digest, messageDigest(expected, false), 'byte for byte');
});

t.test('failures of the LMTP server: 452 "Unable to queue message (...)"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-lmtp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const greeting = '220 fake LMTP\r\n';
  // @ stands for the server's socket path.
  const cases: [string, () => Promise<string>, string][] = [
    ['no socket there', async () => join(dir, 'missing'), 'cannot connect to @: no such file or directory'],
    [
      'LHLO refused',
      async () => {
        const path = join(dir, 'lhlo');
        await startScripted(t, greeting, (_line, s) => s.write('500 5.5.1 what?\r\n'), path);
        return path;
      },
      '@ refused the session at LHLO: 500 5.5.1 what?',
    ],
    [
      'silence after the final dot',
      async () => {
        const path = join(dir, 'silent');
        await startScripted(t, greeting, answerUntilDot(() => undefined), path);
        return path;
      },
      '@ timed out at end of message: no reply within 0.5 s',
    ],
    [
      'closed after the first of two replies',
      async () => {
        const path = join(dir, 'half');
        await startScripted(t, greeting, answerUntilDot((s) => s.end('250 2.0.0 <a@example.com> Saved\r\n')), path);
        return path;
      },
      '@ closed the connection at end of message',
    ],
  ];
  for (const [what, where, why] of cases) {
    const rcpts = ['a@example.com', 'b@example.com'];
    const path = await where();
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: lmtp(path, 'timeout', '0.5') });
    t.same(r.lines, replies('s@x.test', rcpts, `452 Unable to queue message (${why.replace('@', path)})`), what);
    if (what.startsWith('closed')) t.match(r.stderr, /already delivered to <a@example\.com>: a retry delivers it to them again/, 'the partial delivery is logged');
  }
});

t.test('arguments: <socket path | host[:port]> [timeout s] [connect_timeout s]', async (t) => {
  const bad: [string, RegExp][] = [
    ['queue/lmtp', /queue\/lmtp needs the LMTP server: a socket path or host\[:port\]/],
    ['queue/lmtp host:port:x', /"host:port:x" is neither a socket path nor host\[:port\]/],
    ['queue/lmtp 127.0.0.1:0', /port 0 is out of range/],
    ['queue/lmtp /run/lmtp frobnicate', /unknown argument "frobnicate"/],
    ['queue/lmtp /run/lmtp timeout x', /timeout needs a number of seconds greater than 0, not "x"/],
  ];
  for (const [line, error] of bad) {
    const r = await pluginSession(t, crlf('QUIT'), { plugins: [line] });
    t.match(r.lines[0], /^421 /, line);
    t.match(r.stderr, error, line);
  }
  for (const line of ['queue/lmtp lmtp.example.test', 'queue/lmtp [::1]:2424 connect_timeout 5 loglevel 1']) {
    const r = await pluginSession(t, crlf('QUIT'), { plugins: [line] });
    t.equal(r.lines[0], GREETING, line);
  }
});

/** A scripted LMTP server that accepts everything up to the final dot, then does `afterDot`. */
function answerUntilDot(afterDot: (socket: Socket) => void) {
  let inData = false;
  return (line: string, socket: Socket): void => {
    if (inData) {
      if (line === '.') {
        inData = false;
        afterDot(socket);
      }
      return;
    }
    if (line.startsWith('LHLO')) socket.write('250-fake\r\n250 PIPELINING\r\n');
    else if (line === 'DATA') {
      inData = true;
      socket.write('354 go on\r\n');
    } else if (line === 'QUIT') socket.end('221 bye\r\n');
    else socket.write('250 2.1.0 ok\r\n');
  };
}
