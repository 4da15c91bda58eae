// plugins.pod, hook_config: memory_config serves config values from memory;
// every config() call asks it first, and names it does not know still come
// from the files. Through dist/qpsmtpd: the greeting, EHLO, rcpt_ok's
// domains and the Received header all follow the values in config/plugins.

import t from 'tap';
import { DATE_PATTERN, VERSION, bytes, crlf, escapeRegExp, makeWorkDir, replyLines, requireBinary } from '../helpers/e2e';
import { CLIENT_IP, UNAVAILABLE, message, recipientOk, runExample, senderOk } from './helpers';

requireBinary();

const MEMORY_ME = 'mx.memory.test';

t.test('me and rcpthosts from memory; databytes still from its file', async (t) => {
  const work = makeWorkDir(t, {
    config: {
      // The files say mx.e2e.test and example.com (makeWorkDir); memory says otherwise.
      databytes: '100000',
      plugins: [`memory_config me=${MEMORY_ME} rcpthosts=example.net,.example.org`, 'rcpt_ok', 'queue/maildir @WORK@/maildir'],
    },
  });
  const r = await runExample(
    work,
    crlf(
      'EHLO client.test',
      'MAIL FROM:<alice@client.test>',
      'RCPT TO:<bob@example.net>',
      'RCPT TO:<carol@sub.example.org>',
      'RCPT TO:<dave@example.com>',
      'DATA',
      ...message('Subject: memory', '', 'body'),
      'QUIT',
    ),
    '--loglevel',
    '7',
  );
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [
    `220 ${MEMORY_ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
    `250-${MEMORY_ME} Hi [${CLIENT_IP}] [${CLIENT_IP}]`,
    '250-PIPELINING',
    '250-8BITMIME',
    '250 SIZE 100000',
    senderOk('<alice@client.test>'),
    recipientOk('<bob@example.net>'),
    recipientOk('<carol@sub.example.org>'),
    '550 Relaying denied (#5.7.1)',
    '354 go ahead',
    '250 Queued! ',
    `221 ${MEMORY_ME} closing connection. Have a wonderful day.`,
  ]);
  const stored = work.delivered()[0];
  t.ok(stored, 'delivered');
  t.match(
    bytes(stored!),
    new RegExp(
      '^' +
        escapeRegExp(
          'Return-Path: <alice@client.test>\nDelivered-To: carol@sub.example.org\nDelivered-To: bob@example.net\n' +
            `Authentication-Results: ${MEMORY_ME}; auth=none\n` +
            `Received: from [${CLIENT_IP}] (HELO client.test) (${CLIENT_IP})\n by ${MEMORY_ME} (qpsmtpd-ts/${VERSION}) with ESMTP ; `,
        ) +
        DATE_PATTERN +
        escapeRegExp('\nSubject: memory\n\nbody\n') +
        '$',
    ),
    'the Received and Authentication-Results headers name the host from memory',
  );
  t.match(r.stderr, /debug \(config\) memory_config: rcpthosts from memory: example\.net, \.example\.org/);
});

t.test('an argument that is not name=value stops the start-up', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['memory_config me', 'rcpt_ok'] } });
  const r = await runExample(work, crlf('QUIT'));
  t.equal(r.code, 1);
  t.same(replyLines(r.stdout), [UNAVAILABLE]);
  t.match(r.stderr, /failed to load: memory_config: "me" is not name=value/);
});
