// rcpt_regexp through dist/qpsmtpd; the replies were checked against
// Debian's qpsmtpd 0.94 (test/vectors/rcpt_regexp).

import t, { type Test } from 'tap';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const RULES = [
  '# rcpt_regexp - config for rcpt_regexp plugin',
  'me@Example.com          OK       Accepting mail',
  '/^user\\d+\\@doma\\.in$/   OK',
  'info@example.com        DENY     User not found.',
  '/^unused\\@.*/           DENY     User  not   found.',
  '/^soft@/                DENYSOFT',
  '/^dec@/                 DECLINED Fall through to next rcpt plugin',
  '/^bye@/                 DENY_DISCONNECT go away',
];

/** The RCPT replies of one transaction from a@b.test. */
async function rcptReplies(t: Test, rules: string[] | undefined, recipients: string[], plugins = ['rcpt_regexp', 'rcpt_ok']) {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', ...recipients.map((to) => `RCPT TO:<${to}>`), 'QUIT'), {
    plugins,
    config: rules ? { rcpt_regexp: rules } : {},
  });
  t.same(r.lines.slice(0, 3), [GREETING, HELO_OK, SENDER_OK('<a@b.test>')]);
  return { replies: r.lines.slice(3), stderr: r.stderr };
}

t.test('the first matching line decides, with its code and text', async (t) => {
  const { replies } = await rcptReplies(t, RULES, [
    'ME@example.com',
    'User12@Doma.In',
    'info@EXAMPLE.com',
    'unused@anywhere.test',
    'soft@example.com',
    'dec@elsewhere.test',
    'dec@example.com',
    'other@example.com',
    'postmaster',
    'bye@example.com',
    'after@example.com',
  ]);
  t.same(replies, [
    // OK accepts (the core's reply; a text after OK is not shown).
    RCPT_OK('<ME@example.com>'),
    // A pattern ignores case and matches even outside our domains.
    RCPT_OK('<User12@Doma.In>'),
    '550 User not found.',
    '550 User  not   found.',
    // DENYSOFT without a text: the core's default text.
    '450 relaying denied',
    // DECLINED leaves it to the next plugin (rcpt_ok: not our domain).
    '550 Relaying denied (#5.7.1)',
    RCPT_OK('<dec@example.com>'),
    RCPT_OK('<other@example.com>'),
    // No domain: not checked.
    RCPT_OK('<postmaster>'),
    '550 go away',
  ]);
});

t.test('without rcpt_ok, a recipient no line accepts is not accepted', async (t) => {
  const { replies } = await rcptReplies(t, RULES, ['me@example.com', 'other@example.com'], ['rcpt_regexp']);
  t.same(replies, [RCPT_OK('<me@example.com>'), '450 No plugin decided if relaying is allowed', BYE]);
});

t.test('lines that cannot be used are logged and skipped; the others still count', async (t) => {
  const rules = [
    '/^bro(ken/ DENY broken',
    'nocode@example.com',
    'badcode@example.com NOPE x',
    '/^done@/ DONE',
    '/^(nocode|badcode|done|bro)/ DENY caught by the next good line',
  ];
  const { replies, stderr } = await rcptReplies(t, rules, ['nocode@example.com', 'badcode@example.com', 'done@example.com', 'broken@example.com']);
  t.same(replies, ['550 caught by the next good line', '550 caught by the next good line', '550 caught by the next good line', '550 caught by the next good line', BYE]);
  const warnings = stderr.split('\n').filter((line) => / warn \(rcpt\) rcpt_regexp: /.test(line));
  t.same(
    warnings.map((line) => line.replace(/^.* rcpt_regexp: /, '')),
    [
      "REGEXP '^bro(ken' not valid, line skipped",
      'no return code in "nocode@example.com", line skipped',
      "'NOPE' is not a valid constant, ignoring this line",
      'DONE would leave the client without a reply, line skipped: "/^done@/ DONE"',
    ],
    'each bad line is reported once per connection',
  );
});

t.test('Perl pattern syntax: \\A and \\z anchors, \\@, classes, alternation; whole-line exact addresses', async (t) => {
  const rules = [
    '/\\Aanchored\\@x\\.test\\z/ DENY anchors',
    '/^(abuse|postmaster)\\@/ DECLINED',
    '/^[a-c]\\w*\\d{2}@/ DENY class',
    '/^.*$/ DENY No such user.',
  ];
  const { replies } = await rcptReplies(t, rules, ['anchored@x.test', 'xanchored@x.test', 'abuse@example.com', 'bob42@example.com', 'zed@example.com']);
  t.same(replies, ['550 anchors', '550 No such user.', RCPT_OK('<abuse@example.com>'), '550 class', '550 No such user.', BYE]);
});

t.test('a missing or empty config file decides nothing', async (t) => {
  for (const rules of [undefined, [], ['# only a comment']]) {
    const { replies } = await rcptReplies(t, rules, ['me@example.com', 'x@elsewhere.test']);
    t.same(replies, [RCPT_OK('<me@example.com>'), '550 Relaying denied (#5.7.1)', BYE]);
  }
});
