// badmailfromto through dist/qpsmtpd; the replies were checked against
// Debian's qpsmtpd 0.94 (test/vectors/badmailfromto).

import { resolve } from 'node:path';
import t from 'tap';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const PROBES = ['--plugin-dir', resolve(__dirname, '../fixtures/plugins')];
const PAIRS = [
  'bad@evil.test\tvictim@example.com',
  '@spam.test\tVictim2@Example.COM',
  'bad@evil.test\tother@example.com',
  '# a comment',
  'noat\tvictim@example.com',
];
const refused = (rcpt: string): string => `550 mail to ${rcpt} not accepted here`;

t.test('a listed sender is refused only for its listed recipients, at RCPT', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<Bad@Evil.TEST>',
      'RCPT TO:<Victim@Example.com>',
      'RCPT TO:<other@example.com>',
      'RCPT TO:<friend@example.com>',
      'RCPT TO:<victim2@example.com>',
      'RSET',
      'MAIL FROM:<anyone@SPAM.test>',
      'RCPT TO:<victim2@example.com>',
      'RCPT TO:<victim@example.com>',
      'RSET',
      'MAIL FROM:<good@fine.test>',
      'RCPT TO:<victim@example.com>',
      'QUIT',
    ),
    { plugins: ['badmailfromto', 'rcpt_ok'], config: { badmailfromto: PAIRS } },
  );
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<Bad@Evil.TEST>'),
    // The reply names the recipient in lower case, without angle brackets.
    refused('victim@example.com'),
    refused('other@example.com'),
    RCPT_OK('<friend@example.com>'),
    RCPT_OK('<victim2@example.com>'),
    '250 OK',
    SENDER_OK('<anyone@SPAM.test>'),
    refused('victim2@example.com'),
    RCPT_OK('<victim@example.com>'),
    '250 OK',
    SENDER_OK('<good@fine.test>'),
    RCPT_OK('<victim@example.com>'),
    BYE,
  ]);
  t.match(r.stderr, /warn \(mail\) badmailfromto: bad config, no @ sign in noat/);
});

t.test('every entry naming the sender counts, not only the last one', async (t) => {
  const pairs = ['bad@evil.test\tvictim@example.com', '@evil.test\tlast@example.com'];
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<victim@example.com>', 'RCPT TO:<last@example.com>', 'QUIT'), {
    plugins: ['badmailfromto', 'rcpt_ok'],
    config: { badmailfromto: pairs },
  });
  t.same(r.lines.slice(3, -1), [refused('victim@example.com'), refused('last@example.com')]);
});

t.test('sender and recipient must be separated by a tab; other lines are reported', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<spaced@example.com>', 'QUIT'), {
    plugins: ['badmailfromto', 'rcpt_ok'],
    config: { badmailfromto: ['bad@evil.test  spaced@example.com'] },
  });
  t.same(r.lines.slice(3), [RCPT_OK('<spaced@example.com>'), BYE]);
  t.match(r.stderr, /warn \(rcpt\) badmailfromto: bad config, no tab between sender and recipient in "bad@evil\.test  spaced@example\.com"/);
});

t.test('the sender match is kept in the transaction note badmailfromto, and goes with the transaction', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'QUIT'), {
    plugins: ['badmailfromto', 'rcpt_ok', 'notes_probe t:badmailfromto'],
    config: { badmailfromto: PAIRS },
    args: PROBES,
  });
  t.match(r.stderr, /notes_probe: notes \{"t:badmailfromto":\["@spam\.test"\]\}/);
  const reset = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'RSET', 'MAIL FROM:<ok@fine.test>', 'RCPT TO:<victim2@example.com>', 'QUIT'), {
    plugins: ['badmailfromto', 'rcpt_ok'],
    config: { badmailfromto: PAIRS },
  });
  t.same(reset.lines.slice(-2), [RCPT_OK('<victim2@example.com>'), BYE]);
});

t.test('not checked: the null sender, recipients without a domain, a missing or empty list', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<>', 'RCPT TO:<victim@example.com>', 'RSET', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<postmaster>', 'QUIT'), {
    plugins: ['badmailfromto', 'rcpt_ok'],
    config: { badmailfromto: [...PAIRS, '<>\tvictim@example.com', 'bad@evil.test\tpostmaster'] },
  });
  t.same(r.lines.slice(2), [SENDER_OK('<>'), RCPT_OK('<victim@example.com>'), '250 OK', SENDER_OK('<bad@evil.test>'), RCPT_OK('<postmaster>'), BYE]);

  const input = crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<victim@example.com>', 'QUIT');
  const configs: [string, Record<string, string[]>][] = [
    ['missing', {}],
    ['only comments', { badmailfromto: ['# bad@evil.test\tvictim@example.com', ''] }],
  ];
  for (const [name, config] of configs) {
    const r = await pluginSession(t, input, { plugins: ['badmailfromto', 'rcpt_ok'], config });
    t.same(r.lines.slice(2), [SENDER_OK('<bad@evil.test>'), RCPT_OK('<victim@example.com>'), BYE], name);
  }
});

t.test('relay clients are checked too (the harassed user may be reached through relaying)', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<victim@example.com>', 'QUIT'), {
    plugins: ['relay', 'badmailfromto', 'rcpt_ok'],
    config: { badmailfromto: PAIRS },
    env: { RELAYCLIENT: '' },
  });
  t.same(r.lines.slice(3), [refused('victim@example.com'), BYE]);
});
