// badrcptto (and its old name check_badrcptto). Replies were checked against
// Debian's qpsmtpd 0.94, except that a line's reason is the reply text
// (decision 16; 0.94 said "mail to <entry> not accepted here" instead).

import t from 'tap';
import { DECLINED } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, karmaAtQuit, RCPT_OK, SENDER_OK, transcript } from '../helpers/session-tools';

const LIST = [
  'Bad@Example.com',
  '@spam.example.com No spam here please',
  '!',
  '%',
  '^sales.*@example\\.com$ sales closed',
  'noat',
  '^(broken bad pattern',
  '^JOBS@ Upper-case pattern',
];
const CONFIG = { badrcptto: LIST, rcpthosts: ['example.com', '.example.com'] };
const START = [GREETING, HELO_OK, SENDER_OK('<s@x.test>')];

t.test('exact address, @host and pattern lines, all ignoring case', async (t) => {
  const { quit, karma } = karmaAtQuit();
  const r = await transcript(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<s@x.test>',
      'RCPT TO:<bad@example.com>',
      'RCPT TO:<BAD@EXAMPLE.COM>',
      'RCPT TO:<u@spam.example.com>',
      'RCPT TO:<u@SPAM.Example.Com>',
      'RCPT TO:<u@sub.spam.example.com>',
      'RCPT TO:<a!b@example.com>',
      'RCPT TO:<a%b@example.com>',
      'RCPT TO:<SALES1@example.com>',
      'RCPT TO:<jobs@example.com>',
      'RCPT TO:<good@example.com>',
      'RCPT TO:<postmaster>',
      'QUIT',
    ),
    { config: { ...CONFIG, plugins: ['badrcptto', 'rcpt_ok'] }, hooks: { quit } },
  );
  t.same(r.lines, [
    ...START,
    // Without a reason: the entry as written, with qmail's status code.
    '550 mail to Bad@Example.com not accepted here (#5.1.1)',
    '550 mail to Bad@Example.com not accepted here (#5.1.1)',
    // With a reason: the reason is the reply (decision 16).
    '550 No spam here please',
    '550 No spam here please',
    // "@host" is that host only, not its subdomains.
    RCPT_OK('<u@sub.spam.example.com>'),
    '550 mail to ! not accepted here (#5.1.1)',
    '550 mail to % not accepted here (#5.1.1)',
    '550 sales closed',
    '550 Upper-case pattern',
    // "noat" (no @) and the pattern that does not compile are skipped.
    RCPT_OK('<good@example.com>'),
    // No host part: not checked.
    RCPT_OK('<postmaster>'),
    BYE,
  ]);
  t.equal(karma(), -16, 'karma -2 for each of the eight refusals');
});

t.test('the first matching line decides', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<x@example.com>', 'QUIT'), {
    config: { badrcptto: ['^x@ first', 'x@example.com second'], plugins: ['badrcptto', 'rcpt_ok'] },
  });
  t.same(r.lines, [...START, '550 first', BYE]);
});

t.test('immune clients are not checked', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<bad@example.com>', 'QUIT');
  const expected = [...START, RCPT_OK('<bad@example.com>'), BYE];

  t.test('a relay client (relayclients)', async (t) => {
    const r = await transcript(t, input, { config: { ...CONFIG, relayclients: '127.0.0.1', plugins: ['relay', 'badrcptto', 'rcpt_ok'] } });
    t.same(r.lines, expected);
  });

  t.test('a whitelisted sender', async (t) => {
    const mail = function (this: Plugin) {
      this.transaction.notes('whitelistsender', 1);
      return DECLINED;
    };
    const r = await transcript(t, input, { config: { ...CONFIG, plugins: ['badrcptto', 'rcpt_ok'] }, hooks: { mail } });
    t.same(r.lines, expected);
  });
});

t.test('an empty or missing list lets every recipient through', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<bad@example.com>', 'QUIT');
  const configs: [string, Record<string, string[]>][] = [
    ['missing', {}],
    ['only comments', { badrcptto: ['# bad@example.com'] }],
  ];
  for (const [name, config] of configs) {
    const r = await transcript(t, input, { config: { ...config, rcpthosts: 'example.com', plugins: ['badrcptto', 'rcpt_ok'] } });
    t.same(r.lines, [...START, RCPT_OK('<bad@example.com>'), BYE], name);
  }
});

t.test('check_badrcptto is the same plugin under its old name', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<u@spam.example.com>', 'RCPT TO:<ok@example.com>', 'QUIT'), {
    config: { ...CONFIG, plugins: ['check_badrcptto', 'rcpt_ok'] },
  });
  t.same(r.lines, [...START, '550 No spam here please', RCPT_OK('<ok@example.com>'), BYE]);
});
