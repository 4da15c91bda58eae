// dont_require_anglebrackets: MAIL and RCPT addresses without <...> are
// accepted (karma -2 each). Checked against Debian's qpsmtpd 0.94 with the
// same client lines.

import t from 'tap';
import { crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, karmaAtQuit, RCPT_OK, SENDER_OK, transcript } from '../helpers/session-tools';

const CONFIG = { rcpthosts: 'example.com', plugins: ['dont_require_anglebrackets', 'rcpt_ok'] };

t.test('brackets are added where they are missing', async (t) => {
  const { quit, karma } = karmaAtQuit();
  const r = await transcript(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:user@example.com',
      'RCPT TO:a@example.com',
      'RCPT TO:<b@example.com>',
      'RCPT TO: c@example.com',
      'RCPT TO:postmaster',
      'MAIL FROM: d@x.test',
      'MAIL FROM:e@x.test SIZE=100',
      'MAIL FROM:<f@x.test>',
      'MAIL FROM:<>',
      'MAIL FROM:g@x.test>',
      'MAIL FROM:<h@x.test',
      'QUIT',
    ),
    { config: CONFIG, hooks: { quit } },
  );
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<user@example.com>'),
    RCPT_OK('<a@example.com>'),
    RCPT_OK('<b@example.com>'),
    RCPT_OK('<c@example.com>'),
    RCPT_OK('<postmaster>'),
    SENDER_OK('<d@x.test>'),
    SENDER_OK('<e@x.test>'),
    SENDER_OK('<f@x.test>'),
    SENDER_OK('<>'),
    // Half a pair of brackets gets the other half added around it: still invalid.
    '501 could not parse your mail from command',
    '501 could not parse your mail from command',
    BYE,
  ]);
  t.equal(karma(), -16, 'karma -2 for each of the eight additions');
});

t.test('without the plugin the same lines are refused', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:user@example.com', 'QUIT'), { config: { plugins: 'rcpt_ok' } });
  t.same(r.lines, [GREETING, HELO_OK, '501 could not parse your mail from command', BYE]);
});
