// The seeds' examples around DATA and queueing, through dist/qpsmtpd:
// discard_mail (plugins.pod, "Advanced Playground / Discarding messages"),
// received_line (plugins-2009.pod, hook_received_line), require_headers
// (plugins-2009.pod, data_headers_end and DENY_DISCONNECT) and hook_results
// (plugins-2009.pod, "Results of other hooks").

import t from 'tap';
import { DATE_PATTERN, ME, bytes, checkDelivered, crlf, escapeRegExp, makeWorkDir, replyLines, requireBinary } from '../helpers/e2e';
import { CLIENT_IP, greeting, heloReply, message, quitReply, recipientOk, runExample, senderOk, traceFacts } from './helpers';

requireBinary();

t.test('discard_mail: "250 Queued! <Message-Id>" for a marked transaction, and nothing queued', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['discard_mail devnull@example.com', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
  const r = await runExample(
    work,
    crlf(
      'HELO client.test',
      // 1: to the black hole: discarded, the client is told it was queued.
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.com>',
      'RCPT TO:<DevNull@example.com>',
      'DATA',
      ...message('Message-Id: <one@client.test>', 'Subject: one', '', 'first'),
      // 2: same connection, a new transaction: the note is gone, queue/maildir queues it.
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.com>',
      'DATA',
      ...message('Message-Id: <two@client.test>', 'Subject: two', '', 'second'),
      // 3: discarded again, a message without Message-Id.
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<devnull@example.com>',
      'DATA',
      ...message('Subject: three', '', 'third'),
      'QUIT',
    ),
  );
  t.equal(r.code, 0);
  const transaction = (rcpts: string[], queued: string): string[] => [
    senderOk('<alice@client.test>'),
    ...rcpts.map(recipientOk),
    '354 go ahead',
    queued,
  ];
  t.same(replyLines(r.stdout), [
    greeting(),
    heloReply(),
    ...transaction(['<bob@example.com>', '<DevNull@example.com>'], '250 Queued! <one@client.test>'),
    ...transaction(['<bob@example.com>'], '250 Queued! <two@client.test>'),
    ...transaction(['<devnull@example.com>'], '250 Queued! '),
    quitReply(),
  ]);
  const delivered = work.delivered();
  t.equal(delivered.length, 1, 'only the second message reached the Maildir');
  checkDelivered(t, delivered[0], traceFacts('<alice@client.test>', ['bob@example.com']), 'Message-Id: <two@client.test>\nSubject: two\n\nsecond\n');
  t.equal(r.stderr.match(/queue::maildir: delivered to /g)?.length, 1, 'queue/maildir ran once');
});

t.test('received_line: our own Received header', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'received_line', 'queue/maildir @WORK@/maildir'] } });
  const r = await runExample(
    work,
    crlf(
      'EHLO client.test',
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.com>',
      'DATA',
      ...message('Subject: one', '', 'first'),
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.com>',
      'RCPT TO:<carol@example.com>',
      'DATA',
      ...message('Subject: two', '', 'second'),
      'QUIT',
    ),
  );
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout).filter((line) => line.startsWith('250 Queued')), ['250 Queued! ', '250 Queued! ']);
  const [first, second] = work.delivered();
  const stored = (deliveredTo: string[], received: string, rest: string): RegExp =>
    new RegExp(
      '^' +
        escapeRegExp(`Return-Path: <alice@client.test>\n${deliveredTo.map((to) => `Delivered-To: ${to}\n`).join('')}`) +
        escapeRegExp(`Authentication-Results: ${ME}; auth=none\nReceived: ${received}\n\t`) +
        DATE_PATTERN +
        escapeRegExp(`\n${rest}`) +
        '$',
    );
  t.match(
    bytes(first!),
    stored(['bob@example.com'], `from client.test ([${CLIENT_IP}])\n\tby ${ME} with ESMTP id 1 for <bob@example.com>;`, 'Subject: one\n\nfirst\n'),
    'the first message: folded lines, "for" its one recipient',
  );
  t.match(
    bytes(second!),
    stored(['carol@example.com', 'bob@example.com'], `from client.test ([${CLIENT_IP}])\n\tby ${ME} with ESMTP id 2;`, 'Subject: two\n\nsecond\n'),
    'the second: no "for" with two recipients',
  );
});

t.test('require_headers: data_headers_end DENY_DISCONNECT answers 554 at the end of the header and closes', async (t) => {
  t.test('a message without From: 554, and the rest of the input is never read', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'require_headers', 'queue/maildir @WORK@/maildir'] } });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<bob@example.com>',
        'DATA',
        ...message('Subject: no sender', '', 'NOOP', 'RSET'),
        'QUIT',
      ),
    );
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      senderOk('<alice@client.test>'),
      recipientOk('<bob@example.com>'),
      '354 go ahead',
      '554 Message refused: it has no From header',
    ]);
    t.same(work.delivered(), [], 'nothing delivered');
    t.same(work.list('spool').filter((name) => name !== 'plugin-cache'), [], 'nothing left in the spool');
    t.match(r.stderr, /info \(data_headers_end\) require_headers: no From header, disconnecting/);
  });

  t.test('with the headers it asks for, the message is queued', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'require_headers From Subject', 'queue/maildir @WORK@/maildir'] } });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<bob@example.com>',
        'DATA',
        ...message('From: alice@client.test', 'Subject: fine', '', 'body'),
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<bob@example.com>',
        'DATA',
        ...message('From: alice@client.test', '', 'no subject'),
        'QUIT',
      ),
    );
    t.equal(r.code, 0);
    const transaction = [senderOk('<alice@client.test>'), recipientOk('<bob@example.com>'), '354 go ahead'];
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      ...transaction,
      '250 Queued! ',
      ...transaction,
      '554 Message refused: it has no Subject header',
    ]);
    t.equal(work.delivered().length, 1);
    checkDelivered(t, work.delivered()[0], traceFacts('<alice@client.test>', ['bob@example.com']), 'From: alice@client.test\nSubject: fine\n\nbody\n');
  });
  t.end();
});

t.test("hook_results: other plugins' results, read from transaction.notes(<plugin_name>)", async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['hook_results rcpt_ok', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
  const r = await runExample(
    work,
    crlf(
      'HELO client.test',
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<eve@elsewhere.test>',
      'RCPT TO:<bob@example.com>',
      'DATA',
      ...message('Subject: one', '', 'first'),
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.com>',
      'RCPT TO:<eve@elsewhere.test>',
      'DATA',
      ...message('Subject: two', '', 'second'),
      'QUIT',
    ),
  );
  t.equal(r.code, 0);
  const facts = traceFacts('<alice@client.test>', ['bob@example.com']);
  const [first, second] = work.delivered();
  checkDelivered(t, first, facts, 'Subject: one\nX-Hook-Results: rcpt_ok: rcpt=OK\n\nfirst\n', 'the first message (last RCPT accepted)');
  checkDelivered(t, second, facts, 'Subject: two\nX-Hook-Results: rcpt_ok: rcpt=DENY\n\nsecond\n', 'the second (last RCPT refused)');
});
