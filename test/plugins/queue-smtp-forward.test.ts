// queue/smtp-forward through dist/qpsmtpd against real SMTP servers started
// here: Python's aiosmtpd (a capture server that keeps every envelope and
// message as it arrived, CRLF and all, and answers 4xx/5xx on request) and
// Postfix's smtpd in a private instance (test/fixtures/postfix-instance.ts)
// that delivers into Maildirs, so what Postfix really took is read back.
// The failures no real server produces on request (silence, garbage, a
// connection closed halfway, a full accept queue, a reply before the end
// of the message) come from small servers written here.

import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { DATE_PATTERN, escapeRegExp, freePort, waitFor } from '../helpers/e2e';
import { BYE, crlf, GO_AHEAD, GREETING, HELO_OK, ME, pluginSession, RCPT_OK, SENDER_OK, VERSION } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { startPostfix, virtualPrefix, type PostfixInstance } from '../fixtures/postfix-instance';
import { startCapture } from './queue-peers/aiosmtpd';
import { fileDigestFrom, lineEnds, messageDigest } from './queue-peers/digest';
import { startScripted } from './queue-peers/scripted';

/**
 * The message as the client sends it, and as it must arrive: dot-stuffing
 * undone and redone, a bare LF becomes CRLF (the "." after it is data, not
 * the end: no smuggling through us), a bare CR inside a line and 8-bit
 * bytes pass unchanged.
 */
const LONG = 'L'.repeat(998);
const SENT = Buffer.from(
  crlf('Subject: forward test', 'Message-Id: <fw1@x.test>', '', 'first line', '..a dotted line', '..', 'tab\there  ', LONG) +
    'bare\nLF\r\nsmuggle\n.\r\nbare\rCR\r\n8bit \xe9\xe8\r\nlast\r\n',
  'latin1',
);
const ARRIVES = Buffer.from(
  crlf('Subject: forward test', 'Message-Id: <fw1@x.test>', '', 'first line', '.a dotted line', '.', 'tab\there  ', LONG) +
    'bare\r\nLF\r\nsmuggle\r\n.\r\nbare\rCR\r\n8bit \xe9\xe8\r\nlast\r\n',
  'latin1',
);
/** What Postfix stores: the same with LF line ends, and its own change: a bare CR becomes a space (aiosmtpd shows it arrives intact). */
const STORED = Buffer.from(ARRIVES.toString('latin1').replace(/\r\n/g, '\n').replace('bare\rCR', 'bare CR'), 'latin1');

/** Our own trace headers in front of the message (the core adds them), with the line end the far side keeps. */
function ourTrace(eol: string, helo = 'x', ip = '127.0.0.1'): string {
  const lines = [`Authentication-Results: ${ME}; auth=none`, `Received: from [${ip}] (HELO ${helo}) (${ip})`, ` by ${ME} (qpsmtpd-ts/${VERSION}) with SMTP ; `];
  return `${escapeRegExp(lines.join(eol))}${DATE_PATTERN}${escapeRegExp(eol)}`;
}

function session(from: string, rcpts: string[], message: Buffer = SENT): Buffer {
  return Buffer.concat([
    Buffer.from(crlf('HELO x', `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA')),
    message,
    Buffer.from(crlf('.', 'QUIT')),
  ]);
}

/** Every reply of a session that reached the queue, with the queue reply given. */
function replies(from: string, rcpts: string[], queueReply: string | string[]): string[] {
  return [GREETING, HELO_OK, SENDER_OK(`<${from}>`), ...rcpts.map((r) => RCPT_OK(`<${r}>`)), GO_AHEAD, ...[queueReply].flat(), BYE];
}

function forward(port: number, ...extra: string[]): string[] {
  return ['rcpt_ok', ['queue/smtp-forward 127.0.0.1', String(port), ...extra].join(' ')];
}

t.test('aiosmtpd: the envelope as received, the message byte for byte with CRLF, "250 queued as <its id>"', async (t) => {
  const far = await startCapture(t);
  const rcpts = ['a@example.com', 'b@example.com', 'a@example.com'];
  const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(far.port) });
  t.same(r.lines, replies('s@x.test', rcpts, '250 queued as CAPTURE1'), r.stderr);
  const [got, ...more] = far.messages();
  t.same(more, [], 'one message');
  t.equal(got?.helo, ME, 'EHLO with config me');
  t.equal(got?.mail_from, 's@x.test');
  t.same(got?.rcpt_tos, ['a@example.com', 'b@example.com'], 'each distinct recipient once, in order');
  t.same(got?.commands, [`EHLO ${ME}`, 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'RCPT TO:<b@example.com>', 'DATA']);
  t.match(got?.data.toString('latin1'), new RegExp(`^${ourTrace('\r\n')}${escapeRegExp(ARRIVES.toString('latin1'))}$`), 'trace headers, then the message');
  t.match(r.stderr, /forwarding to 127\.0\.0\.1:\d+/);
  t.match(r.stderr, /finished queueing: 250 2\.0\.0 Ok: queued as CAPTURE1/);
});

t.test('aiosmtpd: two messages in one session, the second one empty', async (t) => {
  const far = await startCapture(t);
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: one', '', 'body', '.') +
    crlf('MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', '.', 'QUIT');
  const r = await pluginSession(t, input, { plugins: forward(far.port) });
  t.equal(r.lines[5], '250 queued as CAPTURE1', r.stderr);
  t.equal(r.lines[9], '250 queued as CAPTURE2');
  const [one, two] = far.messages();
  t.match(one?.data.toString('latin1'), new RegExp(`${escapeRegExp('Subject: one\r\n\r\nbody\r\n')}$`));
  t.match(two?.data.toString('latin1'), new RegExp(`^${ourTrace('\r\n')}$`), 'only our trace headers');
});

t.test('aiosmtpd: a spooled message with dotted lines across every chunk boundary', async (t) => {
  // Lines of 1 to 37 bytes, every one starting with a dot: some start exactly at a 64 KiB boundary of the spool reads.
  const lines = Array.from({ length: 20000 }, (_, i) => `.${'x'.repeat(i % 37)}`);
  const far = await startCapture(t);
  const message = crlf('Subject: dots', '', ...lines.map((l) => `.${l}`));
  const r = await pluginSession(t, session('s@x.test', ['a@example.com'], Buffer.from(message)), { plugins: forward(far.port) });
  t.equal(r.lines.at(-2), '250 queued as CAPTURE1', r.stderr);
  const data = far.messages()[0]?.data.toString('latin1') ?? '';
  t.ok(data.endsWith(crlf('Subject: dots', '', ...lines)), 'every line arrived, each with its one dot');
});

t.test('aiosmtpd: its refusals are passed back, 4xx as 452 and 5xx as 552, with its text', async (t) => {
  const cases: [string, Parameters<typeof startCapture>[1], string[], string][] = [
    ['MAIL FROM 451', { mail: '451 4.3.1 sender check unavailable' }, ['a@example.com'], '452 4.3.1 sender check unavailable'],
    ['MAIL FROM 553', { mail: '553 5.7.1 sender not welcome' }, ['a@example.com'], '552 5.7.1 sender not welcome'],
    ['final dot 451', { data: '451 4.7.0 scanner busy, try later' }, ['a@example.com'], '452 4.7.0 scanner busy, try later'],
    ['final dot 554', { data: '554 5.7.1 message refused as spam' }, ['a@example.com'], '552 5.7.1 message refused as spam'],
    ['final dot without text', { data: '554' }, ['a@example.com'], '552 refused by the next hop (554)'],
  ];
  for (const [what, options, rcpts, reply] of cases) {
    const far = await startCapture(t, options);
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(far.port) });
    t.same(r.lines, replies('s@x.test', rcpts, reply), what);
    t.same(far.messages(), [], `${what}: nothing kept`);
  }
});

t.test('aiosmtpd: every recipient must be accepted, else nothing is sent (any 4xx: 452, all 5xx: 552)', async (t) => {
  const rcpt = { 'gone@example.com': '550 5.1.1 <gone@example.com>: no such user', 'full@example.com': '452 4.2.2 <full@example.com>: mailbox full' };
  const cases: [string[], string[]][] = [
    [['a@example.com', 'gone@example.com'], ['552 5.1.1 <gone@example.com>: no such user']],
    [['full@example.com', 'a@example.com'], ['452 4.2.2 <full@example.com>: mailbox full']],
    [
      ['gone@example.com', 'full@example.com'],
      ['452-5.1.1 <gone@example.com>: no such user', '452 4.2.2 <full@example.com>: mailbox full'],
    ],
  ];
  for (const [rcpts, reply] of cases) {
    const far = await startCapture(t, { rcpt });
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(far.port) });
    t.same(r.lines, replies('s@x.test', rcpts, reply), rcpts.join(' '));
    t.same(far.messages(), [], `${rcpts.join(' ')}: no message`);
    t.match(r.stderr, /recipients refused: nothing sent/);
  }
});

t.test('aiosmtpd: no reply to the final dot in time: 452, and the client may send it again', async (t) => {
  const far = await startCapture(t, { dataDelay: 5 });
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(far.port, 'timeout', '0.5'), timeoutMs: 20000 });
  const why = `127.0.0.1:${far.port} timed out at end of message: no reply within 0.5 s`;
  t.same(r.lines, replies('s@x.test', ['a@example.com'], `452 Unable to queue message (${why})`), r.stderr);
});

t.test('the hook ends before plugin_timeout does, and its reply says so (not the core\'s "452 plugin timeout")', async (t) => {
  const far = await startCapture(t, { dataDelay: 5 });
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), {
    plugins: forward(far.port),
    config: { plugin_timeout: '2' },
    timeoutMs: 20000,
  });
  const why = `127.0.0.1:${far.port} timed out at end of message: no reply before plugin_timeout`;
  t.same(r.lines, replies('s@x.test', ['a@example.com'], `452 Unable to queue message (${why})`), r.stderr);
});

t.test('aiosmtpd: the xclient flag needs XCLIENT in the EHLO reply', async (t) => {
  const far = await startCapture(t);
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(far.port, 'xclient') });
  t.same(r.lines, replies('s@x.test', ['a@example.com'], '452 Unable to queue message (Server does not advertise XCLIENT support)'), r.stderr);
});

t.test('a 200 MB message streams through with a small peak RSS, byte for byte', async (t) => {
  const far = await startCapture(t);
  const big = await bigMessageSession(t, {
    plugins: forward(far.port),
    config: { databytes: '0' },
    sender: 'big@x.test',
    recipients: ['a@example.com'],
    megabytes: 200,
  });
  t.equal(big.lines.at(-2), '250 queued as CAPTURE1', big.stderr.slice(-2000));
  t.ok(big.peakKb < 100 * 1024, `peak RSS ${Math.round(big.peakKb / 1024)} MiB is under 100 MiB`);
  // After aiosmtpd's copy of our trace headers comes the message, which starts with its Subject.
  const copy = fileDigestFrom(far.messageFile(1), 'Subject: big\r\n');
  const expected = big.expected();
  t.ok(copy.found, 'the message is there');
  t.equal(copy.length, expected.length + lineEnds(expected), 'the length sent, with CRLF');
  t.equal(copy.digest, messageDigest(expected, true), 'byte for byte');
});

t.test('failures of the next hop: 452 "Unable to queue message (...)", saying what went wrong', async (t) => {
  const greeting = '220 fake.test ESMTP\r\n';
  const ehlo = '250-fake.test\r\n250 PIPELINING\r\n';
  // @ stands for the server's address, 127.0.0.1:<port>.
  const cases: [string, () => Promise<number>, string][] = [
    ['nothing listens', () => freePort(), 'cannot connect to @: connection refused'],
    [
      'the greeting refuses',
      async () => (await startScripted(t, '554 5.3.2 not now\r\n', () => undefined)).port,
      '@ refused the session at greeting: 554 5.3.2 not now',
    ],
    [
      'EHLO and HELO refused',
      async () => (await startScripted(t, greeting, (line, s) => s.write(line.startsWith('QUIT') ? '221 bye\r\n' : '502 5.5.1 no\r\n'))).port,
      '@ refused the session at HELO: 502 5.5.1 no',
    ],
    [
      'garbage instead of a greeting',
      async () => (await startScripted(t, 'hello there\r\n', () => undefined)).port,
      'protocol error from @ at greeting: not a reply line: "hello there"',
    ],
    [
      'a multi-line reply that changes its code',
      async () => (await startScripted(t, greeting, (_line, s) => s.write('250-fake.test\r\n251 odd\r\n'))).port,
      'protocol error from @ at EHLO: a multi-line reply changed its code from 250 to 251',
    ],
    [
      'a 354 to MAIL FROM',
      async () => (await startScripted(t, greeting, (line, s) => s.write(line.startsWith('EHLO') ? ehlo : '354 go on\r\n'))).port,
      'protocol error from @ at MAIL FROM: unexpected reply 354 go on',
    ],
    [
      'closed after RCPT TO',
      async () =>
        (
          await startScripted(t, greeting, (line, s) => {
            if (line.startsWith('EHLO')) s.write('250 fake.test\r\n');
            else if (line.startsWith('MAIL')) s.write('250 ok\r\n');
            else s.end();
          })
        ).port,
      '@ closed the connection at RCPT TO',
    ],
    [
      'closed in the middle of a reply',
      async () => (await startScripted(t, greeting, (_line, s) => s.end('250-fake.test\r\n'))).port,
      '@ closed the connection at EHLO',
    ],
    ['silence after connecting', async () => (await startScripted(t, undefined, () => undefined)).port, '@ timed out at greeting: no reply within 0.5 s'],
  ];
  for (const [what, server, why] of cases) {
    const port = await server();
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(port, 'timeout', '0.5') });
    t.same(r.lines, replies('s@x.test', ['a@example.com'], `452 Unable to queue message (${why.replace('@', `127.0.0.1:${port}`)})`), what);
    t.match(r.stderr, /warn \(queue\) queue::smtp_2dforward: 127\.0\.0\.1:\d+: /, `${what}: logged`);
  }
});

t.test('connect_timeout: a server whose accept queue is full', async (t) => {
  // Linux drops SYNs to a listening socket whose accept queue is full: connecting hangs until our limit.
  const python = spawn('/usr/bin/python3', [
    '-c',
    'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)',
  ]);
  t.teardown(() => python.kill('SIGKILL'));
  const port = await new Promise<number>((resolve) => python.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) fillers.push(connect({ host: '127.0.0.1', port }).on('error', () => undefined));
  t.teardown(() => fillers.forEach((s) => s.destroy()));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(port, 'connect_timeout', '0.5') });
  t.same(r.lines, replies('s@x.test', ['a@example.com'], `452 Unable to queue message (cannot connect to 127.0.0.1:${port}: no connection within 0.5 s)`), r.stderr);
});

t.test('a refusal before the end of the message: the rest is not sent, the refusal is passed back', async (t) => {
  // The server answers the first line of the message and stops reading: our writes back up, and we notice the reply.
  const server = await startScripted(t, '220 fake.test ESMTP\r\n', (line, s) => {
    if (line.startsWith('EHLO')) s.write('250 fake.test\r\n');
    else if (line.startsWith('MAIL') || line.startsWith('RCPT')) s.write('250 ok\r\n');
    else if (line === 'DATA') s.write('354 go on\r\n');
    else if (line.startsWith('Authentication-Results')) {
      s.write('552 5.3.4 message too big for us\r\n');
      s.pause();
    }
  });
  const big = await bigMessageSession(t, { plugins: forward(server.port), sender: 's@x.test', recipients: ['a@example.com'], megabytes: 4 });
  t.equal(big.lines.at(-2), '552 5.3.4 message too big for us', big.stderr.slice(-2000));
  t.match(big.stderr, /refused at message: 552 5\.3\.4 message too big for us/);
});

t.test('XCLIENT refused by a server that offers it: 452 with its answer', async (t) => {
  const server = await startScripted(t, '220 fake.test ESMTP\r\n', (line, s) => {
    if (line.startsWith('EHLO')) s.write('250-fake.test\r\n250 XCLIENT NAME ADDR HELO\r\n');
    else if (line.startsWith('XCLIENT')) s.write('550 5.7.0 insufficient authorization\r\n');
    else s.write('221 bye\r\n');
  });
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(server.port, 'xclient') });
  t.same(r.lines, replies('s@x.test', ['a@example.com'], '452 Unable to queue message (XCLIENT failed: 550 5.7.0 insufficient authorization)'));
  t.equal(server.lines.find((l) => l.startsWith('XCLIENT')), 'XCLIENT NAME=[UNAVAILABLE] ADDR=127.0.0.1 HELO=x');
  // An IPv6 client is IPV6:-prefixed, as Postfix's XCLIENT wants it; a HELO name with "+" is xtext-encoded.
  const input = session('s@x.test', ['a@example.com']).toString('latin1').replace('HELO x', 'HELO a+b');
  await pluginSession(t, input, { plugins: forward(server.port, 'xclient'), env: { TCPREMOTEIP: '2001:db8::7' } });
  t.equal(server.lines.filter((l) => l.startsWith('XCLIENT'))[1], 'XCLIENT NAME=[UNAVAILABLE] ADDR=IPV6:2001:db8::7 HELO=a+2Bb');
});

t.test('a failed forward ends the queue chain: 452, and a queue plugin listed after it is not asked (qpsmtpd declined)', async (t) => {
  const port = await freePort();
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: [...forward(port), 'queue/maildir @WORK@/maildir'] });
  t.same(r.lines, replies('s@x.test', ['a@example.com'], `452 Unable to queue message (cannot connect to 127.0.0.1:${port}: connection refused)`), r.stderr);
  t.equal(r.delivered.length, 0, 'nothing in the maildir');
  t.match(r.stderr, /connect at connect: connection refused/);
});

t.test('arguments: host [port] [xclient] [timeout s] [connect_timeout s]', async (t) => {
  const bad: [string, RegExp][] = [
    ['queue/smtp-forward', /No SMTP server specified in smtp-forward config/],
    ['queue/smtp-forward mail/host', /Bad data in smtp server: mail\/host/],
    ['queue/smtp-forward 127.0.0.1 70000', /smtp-forward: port 70000 is out of range/],
    ['queue/smtp-forward 127.0.0.1 25 timeout', /timeout needs a number of seconds greater than 0, not nothing/],
    ['queue/smtp-forward 127.0.0.1 connect_timeout 0', /connect_timeout needs a number of seconds greater than 0, not "0"/],
  ];
  for (const [line, error] of bad) {
    const r = await pluginSession(t, crlf('QUIT'), { plugins: [line] });
    t.match(r.lines[0], /^421 /, line);
    t.match(r.stderr, error, line);
  }
  const far = await startCapture(t);
  const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: forward(far.port, 'frobnicate', 'timeout', '30') });
  t.equal(r.lines.at(-2), '250 queued as CAPTURE1', 'an unknown flag is only a warning, as in qpsmtpd');
  t.match(r.stderr, /WARNING: Unknown flag frobnicate/);
  // A port left out means 25, and a flag may follow the host directly.
  const check = await pluginSession(t, crlf('QUIT'), { plugins: ['queue/smtp-forward ::1 xclient'] });
  t.equal(check.lines[0], GREETING, 'an IPv6 address and a flag in place of the port');
});

t.test('Postfix smtpd', async (t) => {
  const port = await freePort();
  const pf: PostfixInstance = await startPostfix(t, {
    master: [`127.0.0.1:${port} inet n - n - - smtpd`],
    main: [
      'smtpd_recipient_restrictions = check_recipient_access regexp:$config_directory/rcpt_access, permit_mynetworks, permit_auth_destination, reject',
      'header_checks = regexp:$config_directory/header_checks',
      'smtpd_authorized_xclient_hosts = 127.0.0.1',
    ],
    files: {
      rcpt_access: '/^nobody@/ REJECT 5.1.1 no such user here\n/^later@/ DEFER 4.2.1 try again later\n',
      header_checks: '/^Subject: reject me/ REJECT 5.7.1 not this one\n',
    },
  });

  /** Postfix's own Received line (it names the recipient when there is one). */
  const postfixReceived = (helo: string, client: string, queueId: string): string =>
    `${escapeRegExp(`Received: from ${helo} (${client})\n\tby postfix.test (Postfix) with ESMTP id ${queueId}`)}(?:;\\n\\t|\\n\\tfor <[^>]+>; )${DATE_PATTERN} \\(UTC\\)\\n`;

  /** Postfix's smtpd log line for the last session ("disconnect from ... commands=..."). */
  const lastDisconnect = async (before: number): Promise<string> =>
    waitFor('the disconnect line', () => {
      const lines = pf.log().split('\n').filter((l) => l.includes('disconnect from'));
      return lines.length > before ? lines.at(-1) : undefined;
    });
  const disconnects = (): number => pf.log().split('\n').filter((l) => l.includes('disconnect from')).length;

  await t.test('two recipients: each Maildir gets the message byte for byte; the reply names the queue id', async (t) => {
    const rcpts = ['a@example.com', 'b@example.com'];
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(port) });
    const queued = /^250 queued as ([0-9A-F]+)$/.exec(r.lines.at(-2) ?? '');
    t.ok(queued, `${r.lines.at(-2)}\n${r.stderr}`);
    t.same(r.lines, replies('s@x.test', rcpts, r.lines.at(-2) ?? ''));
    for (const rcpt of ['a', 'b']) {
      const [file] = await pf.waitForDelivery(rcpt);
      const text = file?.toString('latin1') ?? '';
      const head = new RegExp(
        `^${escapeRegExp(virtualPrefix('s@x.test', `${rcpt}@example.com`))}${postfixReceived(ME, 'localhost [127.0.0.1]', queued?.[1] ?? '')}${ourTrace('\n')}`,
      ).exec(text);
      t.ok(head, `${rcpt}: Return-Path, Delivered-To, Postfix's Received with our queue id, our trace\n${text.slice(0, 700)}`);
      t.equal(file?.subarray(head ? Buffer.byteLength(head[0], 'latin1') : 0).toString('latin1'), STORED.toString('latin1'), `${rcpt}: the message byte for byte`);
    }
  });

  await t.test('the null sender', async (t) => {
    const r = await pluginSession(t, session('', ['c@example.com']), { plugins: forward(port) });
    t.match(r.lines.at(-2), /^250 queued as [0-9A-F]+$/, r.stderr);
    const [file] = await pf.waitForDelivery('c');
    t.match(file?.toString('latin1'), /^Return-Path: <>\nDelivered-To: c@example.com\n/);
  });

  await t.test('a recipient refused with 5xx: 552 with Postfix\'s text, and no DATA is sent', async (t) => {
    const before = disconnects();
    const rcpts = ['a@example.com', 'nobody@example.com'];
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(port) });
    t.same(r.lines, replies('s@x.test', rcpts, '552 5.1.1 <nobody@example.com>: Recipient address rejected: no such user here'), r.stderr);
    const line = await lastDisconnect(before);
    t.match(line, /ehlo=1 mail=1 rcpt=1\/2 quit=1 commands=4\/5$/, 'no DATA: the accepted recipient gets nothing');
  });

  await t.test('a 4xx and a 5xx recipient: 452 (the temporary one may pass on a retry), both texts', async (t) => {
    const rcpts = ['later@example.com', 'nobody@example.com', 'a@example.com'];
    const r = await pluginSession(t, session('s@x.test', rcpts), { plugins: forward(port) });
    t.same(
      r.lines,
      replies('s@x.test', rcpts, [
        '452-4.2.1 <later@example.com>: Recipient address rejected: try again later',
        '452 5.1.1 <nobody@example.com>: Recipient address rejected: no such user here',
      ]),
      r.stderr,
    );
  });

  await t.test('refused after the final dot (header_checks REJECT): 552 with Postfix\'s text', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['b@example.com'], Buffer.from(crlf('Subject: reject me', '', 'x'))), { plugins: forward(port) });
    t.same(r.lines, replies('s@x.test', ['b@example.com'], '552 5.7.1 not this one'), r.stderr);
  });

  await t.test('xclient: Postfix sees our client (address, HELO) instead of us', async (t) => {
    const before = pf.delivered('c').length;
    const r = await pluginSession(t, session('x@x.test', ['c@example.com']), {
      plugins: forward(port, 'xclient'),
      env: { TCPREMOTEIP: '192.0.2.7' },
    });
    const queued = /^250 queued as ([0-9A-F]+)$/.exec(r.lines.at(-2) ?? '');
    t.ok(queued, `${r.lines.at(-2)}\n${r.stderr}`);
    const files = await pf.waitForDelivery('c', before + 1);
    const file = files.map((f) => f.toString('latin1')).find((f) => f.includes(`id ${queued?.[1]}`)) ?? '';
    t.match(file, new RegExp(`^${escapeRegExp(virtualPrefix('x@x.test', 'c@example.com'))}${postfixReceived('x', 'unknown [192.0.2.7]', queued?.[1] ?? '')}`), file.slice(0, 500));
  });
});
