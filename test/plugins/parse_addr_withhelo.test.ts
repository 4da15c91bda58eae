// parse_addr_withhelo through dist/qpsmtpd. Every reply was checked against
// Debian's qpsmtpd 0.94 with the same lines (test/vectors/parse_addr_withhelo).

import t from 'tap';
import { BYE, GO_AHEAD, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const PLUGINS = ['parse_addr_withhelo', 'rcpt_ok', 'queue/maildir @WORK@/maildir'];
const EHLO_OK = [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250 8BITMIME'];

/** HELO (or EHLO) then the given commands and QUIT; the replies after the greeting's. */
async function replies(t: Parameters<typeof pluginSession>[0], hello: string, commands: string[], plugins = PLUGINS) {
  const r = await pluginSession(t, crlf(hello, ...commands, 'QUIT'), { plugins, config: { databytes: '0' } });
  t.equal(r.lines[0], GREETING);
  t.equal(r.lines[r.lines.length - 1], BYE);
  return r.lines.slice(hello.startsWith('EHLO') ? 4 : 2, -1);
}

t.test('HELO clients: MAIL without parameters', async (t) => {
  t.same(
    await replies(t, 'HELO x', [
      'MAIL FROM:<a@b.test> SIZE=10',
      'MAIL FROM:<a@b.test>x',
      'MAIL FROM:<a@b.test> <c@d.test> ',
      'MAIL FROM:a@b.test BODY=8BITMIME',
      'MAIL FROM:foo',
      'MAIL FROM <a@b.test>',
      'MAIL TO:<a@b.test>',
      'MAIL',
      'MAIL FROM:a@b.test',
      'MAIL FROM:',
      'MAIL FROM:   <a@b.test>   ',
      'mail from:<A@B.test>',
    ]),
    [
      '501 No parameters allowed in MAIL',
      '501 No parameters allowed in MAIL',
      // One "address" for the parser; the core's RFC 5321 check refuses it (decision 14).
      '501 could not parse your mail from command',
      '501 No parameters allowed in MAIL',
      '501 Could not parse your MAIL FROM command',
      '501 Syntax error in command',
      '501 Syntax error in command',
      // Bare MAIL and an address without brackets are the core's business.
      '501 could not parse your mail from command',
      '501 could not parse your mail from command',
      SENDER_OK('<>'),
      SENDER_OK('<a@b.test>'),
      SENDER_OK('<A@B.test>'),
    ],
  );
});

t.test('HELO clients: RCPT without parameters', async (t) => {
  t.same(
    await replies(t, 'HELO x', [
      'MAIL FROM:<a@b.test>',
      'RCPT TO:<c@example.com> NOTIFY=NEVER',
      'RCPT TO:c@example.com ORCPT=rfc822;c@example.com',
      'RCPT TO:c@example.com',
      'RCPT TO:postmaster',
      'RCPT TO:Abuse',
      'RCPT TO:foo',
      'RCPT TO:',
      'RCPT',
      'RCPT TO <c@example.com>',
      'RCPT TO:<POSTMASTER>',
      'RCPT to: <c@example.com>  ',
    ]),
    [
      SENDER_OK('<a@b.test>'),
      '501 No parameters allowed in RCPT',
      '501 No parameters allowed in RCPT',
      '501 could not parse recipient',
      // qpsmtpd's parser falls off its end for a bare postmaster or abuse.
      '501 Syntax error in command',
      '501 Syntax error in command',
      '501 Could not parse your RCPT TO command',
      '501 Could not parse your RCPT TO command',
      '501 could not parse recipient',
      '501 Syntax error in command',
      RCPT_OK('<postmaster>'),
      RCPT_OK('<c@example.com>'),
    ],
  );
});

t.test('a HELO client still gets its mail delivered', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', 'RCPT TO:<c@example.com>', 'DATA', 'Subject: s', '', 'b', '.', 'QUIT'), {
    plugins: PLUGINS,
  });
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.test>'), RCPT_OK('<c@example.com>'), GO_AHEAD, '250 Queued! ', BYE]);
  t.equal(r.delivered.length, 1);
});

t.test('EHLO clients get the core parser, parameters and all', async (t) => {
  const r = await pluginSession(t, crlf('EHLO x', 'MAIL FROM:<a@b.test> SIZE=10 BODY=8BITMIME', 'RCPT TO:<c@example.com> NOTIFY=NEVER', 'MAIL FROM:foo', 'QUIT'), {
    plugins: PLUGINS,
    config: { databytes: '0' },
  });
  t.same(r.lines, [GREETING, ...EHLO_OK, SENDER_OK('<a@b.test>'), RCPT_OK('<c@example.com>'), '501 could not parse your mail from command', BYE]);
});

t.test('without a greeting the core answers', async (t) => {
  const r = await pluginSession(t, crlf('RCPT TO:<c@example.com> NOTIFY=NEVER', 'MAIL FROM:<a@b.test> SIZE=1', 'QUIT'), { plugins: PLUGINS });
  t.same(r.lines, [GREETING, '503 Use MAIL before RCPT', '503 please say hello first ...', BYE]);
});

t.test('with dont_require_anglebrackets, bare addresses from HELO clients work', async (t) => {
  t.same(
    await replies(t, 'HELO x', ['MAIL FROM:a@b.test', 'RCPT TO:c@example.com', 'RCPT TO:c@example.com SIZE=1'], ['parse_addr_withhelo', 'dont_require_anglebrackets', 'rcpt_ok']),
    [SENDER_OK('<a@b.test>'), RCPT_OK('<c@example.com>'), '501 No parameters allowed in RCPT'],
  );
});

t.test('--check lists the hooks', async (t) => {
  const r = await pluginSession(t, '', { plugins: ['parse_addr_withhelo'], args: ['--check'] });
  t.equal(r.code, 0);
  t.ok(r.output.toString().split('\n').includes('  parse_addr_withhelo  [parse_addr_withhelo, bundled]: rcpt_parse, mail_parse'));
});
