// rcpt_map through dist/qpsmtpd; the replies were checked against Debian's
// qpsmtpd 0.94 (test/vectors/rcpt_map) and current qpsmtpd's map syntax.

import t, { type Test } from 'tap';
import { BYE, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const MAP = [
  '# example_com_map - config for rcpt_map plugin',
  '  me@example.com          OK',
  'you@Example.COM  OK   Welcome',
  'info@example.com        DENY     User not found.',
  'soft@example.com DENYSOFT Mailbox  busy, try later',
  'pass@example.com DECLINED',
  'bye@example.com DENY_DISCONNECT go away',
  'nocode@example.com',
  'badcode@example.com NOPE x',
  'done@example.com DONE',
  '',
  'twice@example.com DENY first',
  'twice@example.com OK',
];
const STARTUP_FAILED = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

/** The RCPT replies of one transaction, with config/map = MAP unless told otherwise. */
async function rcptReplies(t: Test, plugin: string, recipients: string[], map: string[] = MAP) {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', ...recipients.map((to) => `RCPT TO:<${to}>`), 'QUIT'), {
    plugins: [plugin, 'rcpt_ok'],
    config: { map },
  });
  t.same(r.lines.slice(0, 3), [GREETING, HELO_OK, SENDER_OK('<a@b.test>')]);
  return { replies: r.lines.slice(3), stderr: r.stderr };
}

t.test('recipients at the domain get their line, any case; the rest the default', async (t) => {
  const { replies, stderr } = await rcptReplies(t, 'rcpt_map domain Example.COM file @WORK@/config/map', [
    'ME@EXAMPLE.com',
    'you@example.com',
    'info@example.com',
    'soft@example.com',
    'pass@example.com',
    'twice@example.com',
    'stranger@example.com',
    'nocode@example.com',
    'badcode@example.com',
    'done@example.com',
    'anyone@elsewhere.test',
    'postmaster',
    'bye@example.com',
    'after@example.com',
  ]);
  t.same(replies, [
    RCPT_OK('<ME@EXAMPLE.com>'),
    RCPT_OK('<you@example.com>'),
    '550 User not found.',
    '450 Mailbox  busy, try later',
    // DECLINED: the next plugin decides (rcpt_ok: our domain).
    RCPT_OK('<pass@example.com>'),
    // The last line for an address wins.
    RCPT_OK('<twice@example.com>'),
    '550 No such user.',
    // Lines without a usable code are skipped, so those recipients get the default.
    '550 No such user.',
    '550 No such user.',
    '550 No such user.',
    // Other domains and recipients without one are left to the next plugin.
    '550 Relaying denied (#5.7.1)',
    RCPT_OK('<postmaster>'),
    '550 go away',
  ]);
  const errors = stderr.split('\n').filter((line) => / error .*rcpt_map: /.test(line)).map((line) => line.replace(/^.*rcpt_map: /, ''));
  t.match(errors, [/^No constant in line 8 in \/.*\/config\/map$/, /^Not a valid constant in line 9 in /, /^Not a valid constant in line 10 in /]);
  t.equal(errors.length, 3, 'each bad line is reported once, at start-up');
});

t.test('default CODE[=Text_with_underscores]', async (t) => {
  const cases: [string, string][] = [
    ['default DENYSOFT=Unknown_user,_try_later', '450 Unknown user, try later'],
    ['default DENYSOFT', '450 No such user.'],
    ['default DENY=', '550 No such user.'],
    ['default OK', RCPT_OK('<stranger@example.com>')],
    ['default DECLINED', RCPT_OK('<stranger@example.com>')],
    ['default DENY_DISCONNECT=Bye', '550 Bye'],
  ];
  for (const [arg, reply] of cases) {
    const { replies } = await rcptReplies(t, `rcpt_map file @WORK@/config/map domain example.com ${arg}`, ['stranger@example.com', 'info@example.com']);
    t.equal(replies[0], reply, arg);
    if (!arg.includes('DISCONNECT')) t.equal(replies[1], '550 User not found.', `${arg}: listed recipients keep their line`);
  }
});

t.test('a broken set-up stops the server at start-up: 421, exit status 1, the reason logged', async (t) => {
  const cases: [string, string[] | undefined, RegExp][] = [
    ['rcpt_map domain example.com', MAP, /No map file given\.\.\./],
    ['rcpt_map file @WORK@/config/map', MAP, /No domain name given\.\.\./],
    ['rcpt_map domain example.com file @WORK@/config/map default NOPE', MAP, /Not a valid constant for 'default' arg/],
    ['rcpt_map domain example.com file @WORK@/config/map default DONE=x', MAP, /Not a valid constant for 'default' arg/],
    ['rcpt_map domain example.com file @WORK@/config/nothing', MAP, /ERROR opening \/.*\/config\/nothing: ENOENT/],
    ['rcpt_map domain example.com file @WORK@/config', MAP, /ERROR opening \/.*\/config: EISDIR/],
    ['rcpt_map domain example.com file @WORK@/config/map', ['# nothing but comments', '', 'bad@example.com NOPE'], /Empty map file \/.*\/config\/map/],
  ];
  for (const [plugin, map, reason] of cases) {
    const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', 'RCPT TO:<me@example.com>', 'QUIT'), {
      plugins: [plugin, 'rcpt_ok'],
      config: map ? { map } : {},
    });
    t.same(r.lines, [STARTUP_FAILED], plugin);
    t.equal(r.code, 1, `${plugin}: exit status`);
    t.match(r.stderr, reason, `${plugin}: logged`);
  }
});

t.test('two maps for two domains', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', 'RCPT TO:<me@example.com>', 'RCPT TO:<me@example.org>', 'RCPT TO:<org@example.org>', 'QUIT'), {
    plugins: ['rcpt_map domain example.com file @WORK@/config/map', 'rcpt_map:1 domain example.org file @WORK@/config/map_org default DENY=Nobody_here', 'rcpt_ok'],
    config: { map: MAP, map_org: ['org@example.org OK'], rcpthosts: ['example.com', 'example.org'] },
  });
  t.same(r.lines.slice(3), [RCPT_OK('<me@example.com>'), '550 Nobody here', RCPT_OK('<org@example.org>'), BYE]);
});
