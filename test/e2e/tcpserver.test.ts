// dist/qpsmtpd under the real tcpserver (Debian's ucspi-tcp) on a free
// loopback port, with real clients: swaks, Python's smtplib and Postfix's
// smtp-source. Every delivered message must sit in the Maildir exactly as
// sent, after the lines our server adds; a client that hangs up in the
// middle of DATA must leave nothing behind (Maildir tmp/ and new/, spool).

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  DATE_PATTERN,
  FIXTURES,
  ME,
  VERSION,
  bytes,
  crlf,
  checkDelivered,
  escapeRegExp,
  makeWorkDir,
  requireBinary,
  requireProgram,
  runProgram,
  tracePattern,
  waitFor,
} from '../helpers/e2e';
import { startTcpserver, swaksReplies } from '../helpers/tcpserver';

requireBinary();

const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const EHLO = [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250-8BITMIME', '250 SIZE 26214400'];
const QUIT = `221 ${ME} closing connection. Have a wonderful day.`;
const TRACE = {
  sender: '<alice@sender.test>',
  deliveredTo: ['bob@example.com'],
  remoteInfo: '[127.0.0.1]',
  remoteIp: '127.0.0.1',
  helo: 'client.test',
  protocol: 'ESMTP',
};

t.test('swaks delivers a message that arrives byte for byte', async (t) => {
  const swaks = requireProgram('swaks', 'swaks');
  const work = makeWorkDir(t);
  const server = await startTcpserver(t, work);
  // swaks sends the file with CRLF line ends, doubles leading dots, and adds
  // CRLF "." CRLF itself: the file holds the message without its final newline.
  const message =
    'From: Alice <alice@sender.test>\n' +
    'To: Bob <bob@example.com>\n' +
    'Subject: =?UTF-8?Q?caf=C3=A9?= and caf\u00e9\n' +
    'Message-ID: <swaks.1@sender.test>\n' +
    'X-Folded: one\n' +
    '\ttwo\n' +
    '\n' +
    'Hello Bob,\n' +
    '.a line that starts with a dot\n' +
    '..two dots\n' +
    '.\n' +
    'trailing space \n' +
    'tab\there\n' +
    `${'L'.repeat(1500)}\n` +
    '\n' +
    '\n' +
    '8-bit: \u00fcber \u2603\n';
  const file = join(work.dir, 'message.txt');
  writeFileSync(file, message.slice(0, -1));
  const r = runProgram(swaks, [
    '--server', `127.0.0.1:${server.port}`,
    '--helo', 'client.test',
    '--from', 'alice@sender.test',
    '--to', 'bob@example.com',
    '--data', `@${file}`,
  ], { env: process.env });
  t.equal(r.status, 0, `swaks exit status 0\n${r.stdout}${r.stderr}`);
  t.same(swaksReplies(r.stdout), [
    GREETING,
    ...EHLO,
    '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
    '250 <bob@example.com>, recipient ok',
    '354 go ahead',
    '250 Queued! <swaks.1@sender.test>',
    QUIT,
  ]);
  t.same(await server.ended(1), ['0'], 'the session ended with exit status 0');
  const delivered = work.delivered();
  t.equal(delivered.length, 1);
  checkDelivered(t, delivered[0], TRACE, message);
  t.same(work.list('maildir/tmp'), []);
  t.same(work.list('spool'), []);
});

t.test("Python's smtplib: two messages (one above the spool threshold) in one session", async (t) => {
  const python = requireProgram('python3', 'python3');
  const work = makeWorkDir(t);
  const server = await startTcpserver(t, work);
  const first =
    'From: alice@sender.test\n' +
    'To: bob@example.com\n' +
    'Subject: first\n' +
    '\n' +
    'Gr\u00fc\u00dfe aus Python.\n' +
    '.\n' +
    '..\n' +
    '. dot space\n';
  const bodyLines: string[] = [];
  for (let i = 0; i < 3000; i++) bodyLines.push(i % 100 === 0 ? `.${i} ${'x'.repeat(90)}` : `${i} ${'y'.repeat(95)}`);
  const second =
    'From: alice@sender.test\n' +
    'To: bob@example.com\n' +
    'Subject: second, about 300 KB\n' +
    'Message-Id: <second@sender.test>\n' +
    '\n' +
    `${bodyLines.join('\n')}\n` +
    `${'Z'.repeat(20000)}\n` +
    'end\n';
  const files = [first, second].map((m, i) => {
    const path = join(work.dir, `message${i}.eml`);
    writeFileSync(path, Buffer.from(m.replace(/\n/g, '\r\n'), 'utf8'));
    return path;
  });
  const r = runProgram(
    python,
    [join(FIXTURES, 'smtplib_send.py'), '127.0.0.1', String(server.port), 'client.test', 'alice@sender.test', 'bob@example.com', ...files],
    { env: process.env },
  );
  t.equal(r.status, 0, `smtplib_send.py exit status 0\n${r.stderr}`);
  t.equal(
    r.stdout,
    [
      `EHLO 250 ${ME} Hi [127.0.0.1] [127.0.0.1]|PIPELINING|8BITMIME|SIZE 26214400`,
      'MAIL 250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
      'RCPT 250 <bob@example.com>, recipient ok',
      'DATA 250 Queued!', // smtplib strips the reply's trailing space
      'MAIL 250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
      'RCPT 250 <bob@example.com>, recipient ok',
      'DATA 250 Queued! <second@sender.test>',
      `QUIT 221 ${QUIT.slice(4)}`,
      '',
    ].join('\n'),
  );
  t.same(await server.ended(1), ['0'], 'one session, exit status 0');
  const delivered = work.delivered();
  t.equal(delivered.length, 2, 'two messages, in the order sent');
  checkDelivered(t, delivered[0], TRACE, first, 'the first message');
  t.ok(Buffer.byteLength(second) > 300000, 'the second message is above 64 KiB (spooled to disk)');
  checkDelivered(t, delivered[1], TRACE, second, 'the second message');
  t.same(work.list('maildir/tmp'), []);
  t.same(work.list('spool'), [], 'the spool file is gone');
});

t.test("Postfix's smtp-source: three messages in one session", async (t) => {
  const smtpSource = requireProgram('smtp-source', 'postfix');
  const work = makeWorkDir(t);
  const server = await startTcpserver(t, work);
  // -d: all messages over one connection; -l 200: 200 bytes of body; -M: HELO name.
  const r = runProgram(
    smtpSource,
    ['-d', '-m', '3', '-l', '200', '-S', 'smtp-source e2e', '-f', 'alice@sender.test', '-t', 'bob@example.com', '-M', 'client.test', `127.0.0.1:${server.port}`],
    { env: process.env },
  );
  t.equal(r.status, 0, `smtp-source exit status 0\n${r.stderr}`);
  t.equal(r.stderr, '', 'smtp-source saw no errors');
  t.same(await server.ended(1), ['0'], 'one session, exit status 0');
  const delivered = work.delivered();
  t.equal(delivered.length, 3);
  // smtp-source writes its own Date and Message-Id; everything else is fixed.
  const pattern = new RegExp(
    `^${tracePattern({ ...TRACE, protocol: 'SMTP' })}` +
      `${escapeRegExp('From: <alice@sender.test>\nTo: <bob@example.com>\n')}` +
      `Date: ${DATE_PATTERN} \\([A-Z]+\\)\\n` +
      'Message-Id: <[0-9a-f]+\\.[0-9a-f]+\\.[0-9a-f]+@client\\.test>\\n' +
      `${escapeRegExp(`Subject: smtp-source e2e\n\n1${'X'.repeat(77)}\n2${'X'.repeat(77)}\n${'X'.repeat(40)}\n`)}$`,
  );
  for (const message of delivered) t.match(bytes(message), pattern);
  const ids = delivered.map((m) => /^Message-Id: (.*)$/m.exec(m.toString())?.[1]);
  t.equal(new Set(ids).size, 3, 'three different messages');
  t.same(work.list('maildir/tmp'), []);
  t.same(work.list('spool'), []);
});

t.test('a client that hangs up in the middle of DATA leaves nothing behind', async (t) => {
  for (const how of ['destroy', 'resetAndDestroy'] as const) {
    t.test(`socket.${how}()`, async (t) => {
      // size_threshold 1024: the body goes to a spool file almost at once.
      const work = makeWorkDir(t, { config: { size_threshold: '1024' } });
      const server = await startTcpserver(t, work);
      const socket = connect(server.port, '127.0.0.1');
      t.teardown(() => socket.destroy());
      let replies = '';
      socket.on('data', (d: Buffer) => (replies += d.toString()));
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      await waitFor('the greeting', () => replies.includes('\r\n'));
      socket.write(crlf('EHLO client.test', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<bob@example.com>', 'DATA'));
      await waitFor('354', () => replies.endsWith('354 go ahead\r\n'));
      socket.write(`Subject: cut off\r\n\r\n${`${'b'.repeat(98)}\r\n`.repeat(1000)}`);
      const spooled = await waitFor('a spool file', () => work.list('spool').length > 0 && work.list('spool'));
      t.equal(spooled.length, 1, 'the message body was being spooled');
      socket[how]();
      t.same(await server.ended(1), ['0'], 'the session ended with exit status 0');
      t.same(
        replies.split('\r\n'),
        [
          GREETING,
          ...EHLO,
          '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
          '250 <bob@example.com>, recipient ok',
          '354 go ahead',
          '',
        ],
        'no reply after 354',
      );
      t.same(work.list('maildir/new'), [], 'nothing in maildir/new');
      t.same(work.list('maildir/tmp'), [], 'nothing in maildir/tmp');
      t.same(work.list('spool'), [], 'nothing in the spool dir');
    });
  }
  t.end();
});
