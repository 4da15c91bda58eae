// auth/auth_flat_file through dist/qpsmtpd: raw transcripts for every reply
// it can cause (PLAIN, LOGIN, CRAM-MD5; right and wrong password, unknown
// user, no domain, a user with an empty password, a missing file), then the
// real clients under the real tcpserver: swaks with --auth PLAIN, LOGIN and
// CRAM-MD5, and Python's smtplib login() (which picks CRAM-MD5). Relaying
// is refused before AUTH and allowed after it; the delivered message says
// who authenticated (Authentication-Results, "with ESMTPA"); the password
// never reaches the log at LOGINFO. Replies checked against Debian's
// qpsmtpd 0.94 where the plugin decides them (" - auth_flat_file ...",
// DECLINED for an unknown user, DENY for a wrong password).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp, makeWorkDir } from '../helpers/e2e';
import { BinaryClient, BYE, crlf, GO_AHEAD, GREETING, ME, pluginSession, RCPT_OK, SENDER_OK, VERSION } from '../helpers/plugin-session';
import { b64, cramAnswer, plain, smtplibLogin, startTcpserver, swaks, swaksReplies, swaksSent } from './auth-local-peers/clients';

const PLUGINS = ['auth/auth_flat_file', 'rcpt_ok', 'queue/maildir @WORK@/maildir'];
const FLAT_AUTH_PW = [
  '# users of the submission service',
  'good@example.com:secret',
  'Mixed.Case@Example.COM:MiXed',
  'colon@example.com:pa:ss:word',
  'empty@example.com:',
  'a.b@example.com:dotted',
  '  spaced@example.com:trimmed  ',
  '#hidden@example.com:commented',
];
const CONFIG = { flat_auth_pw: FLAT_AUTH_PW };
const EHLO = [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250-8BITMIME', '250-SIZE 26214400', '250 AUTH PLAIN LOGIN CRAM-MD5'];
const OUTSIDE = 'someone@elsewhere.test';
const RELAY_DENIED = '550 Relaying denied (#5.7.1)';
const ok = (mech: string, user: string): string => `235 ${mech} authentication successful for ${user} - auth_flat_file`;
const failed = (mech: string, user: string, text?: string): string =>
  `535 ${mech} authentication failed for ${user} from 127.0.0.1${text ? ` - ${text}` : ''}`;
const WRONG = 'auth_flat_file - wrong password';

/** One pipelined session: EHLO, the AUTH lines given, QUIT; returns the replies after EHLO, without the 221. */
async function authSession(t: Test, authLines: string[], config: Record<string, string | string[]> = CONFIG): Promise<string[]> {
  const r = await pluginSession(t, crlf('EHLO client.test', ...authLines, 'QUIT'), { plugins: PLUGINS, config });
  t.same(r.lines.slice(0, 1 + EHLO.length), [GREETING, ...EHLO], 'greeting and EHLO with AUTH PLAIN LOGIN CRAM-MD5');
  t.equal(r.lines.at(-1), BYE);
  return r.lines.slice(1 + EHLO.length, -1);
}

/** The lines the core puts on top of a message sent after AUTH (Authentication-Results, Received with ESMTPA). */
function authTrace(mechanism: string, user: string, helo = 'client.test'): RegExp {
  return new RegExp(
    '^' +
      escapeRegExp(
        `Return-Path: <s@client.test>\nDelivered-To: ${OUTSIDE}\n` +
          `Authentication-Results: ${ME}; auth=pass (${mechanism}) smtp.auth=${user}\n` +
          `Received: from [127.0.0.1] (HELO ${helo}) (127.0.0.1)\n by ${ME} (qpsmtpd-ts/${VERSION}) with ESMTPA ; `,
      ) +
      DATE_PATTERN +
      '\\n',
  );
}

t.test('PLAIN: relaying refused before AUTH, 235, then relayed with the auth trace headers', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'RSET',
      `AUTH PLAIN ${plain('good@example.com', 'secret')}`,
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'DATA',
      'Subject: after auth',
      '',
      'hello',
      '.',
      'QUIT',
    ),
    { plugins: PLUGINS, config: CONFIG },
  );
  t.same(
    r.lines,
    [
      GREETING,
      ...EHLO,
      SENDER_OK('<s@client.test>'),
      RELAY_DENIED,
      '250 OK',
      ok('PLAIN', 'good@example.com'),
      SENDER_OK('<s@client.test>'),
      RCPT_OK(`<${OUTSIDE}>`),
      GO_AHEAD,
      '250 Queued! ',
      BYE,
    ],
    r.stderr,
  );
  t.equal(r.delivered.length, 1, 'one message delivered');
  const message = r.delivered[0]?.toString('latin1') ?? '';
  t.match(message, authTrace('plain', 'good@example.com'));
  t.ok(message.endsWith('Subject: after auth\n\nhello\n'), 'the message follows');
  t.match(r.stderr, /\(auth-plain\) auth::auth_flat_file: pass: clear match/);
});

t.test('PLAIN with the 334 prompt, LOGIN with and without an initial response', async (t) => {
  t.same(await authSession(t, ['AUTH PLAIN', plain('good@example.com', 'secret')]), ['334  ', ok('PLAIN', 'good@example.com')]);
  t.same(await authSession(t, ['AUTH LOGIN', b64('good@example.com'), b64('secret')]), [
    '334 VXNlcm5hbWU6',
    '334 UGFzc3dvcmQ6',
    ok('LOGIN', 'good@example.com'),
  ]);
  t.same(await authSession(t, [`AUTH LOGIN ${b64('good@example.com')}`, b64('secret')]), ['334 UGFzc3dvcmQ6', ok('LOGIN', 'good@example.com')]);
});

t.test('a wrong password: 535 with "wrong password" (DENY), relaying still refused, AUTH may be tried again', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      `AUTH PLAIN ${plain('good@example.com', 'Secret')}`,
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'RSET',
      'AUTH LOGIN',
      b64('good@example.com'),
      b64('nope'),
      `AUTH PLAIN ${plain('good@example.com', 'secret')}`,
      'QUIT',
    ),
    { plugins: PLUGINS, config: CONFIG },
  );
  t.same(r.lines.slice(1 + EHLO.length), [
    failed('PLAIN', 'good@example.com', WRONG),
    SENDER_OK('<s@client.test>'),
    RELAY_DENIED,
    '250 OK',
    '334 VXNlcm5hbWU6',
    '334 UGFzc3dvcmQ6',
    failed('LOGIN', 'good@example.com', WRONG),
    ok('PLAIN', 'good@example.com'),
    BYE,
  ]);
  t.match(r.stderr, /\(auth-plain\) auth::auth_flat_file: fail: wrong password/);
});

t.test('a wrong password ends the attempt: a later auth plugin is not asked', async (t) => {
  const r = await pluginSession(t, crlf('EHLO client.test', `AUTH PLAIN ${plain('good@example.com', 'guess')}`, 'QUIT'), {
    plugins: ['auth/auth_flat_file', 'auth/authdeny'],
    config: CONFIG,
  });
  t.equal(r.lines[1 + EHLO.length], failed('PLAIN', 'good@example.com', WRONG));
  t.notMatch(r.stderr, /authdeny/, 'authdeny did not run');
});

t.test('a user not in the file, or without a domain: declined, 535 without a text', async (t) => {
  t.same(await authSession(t, [`AUTH PLAIN ${plain('nobody@example.com', 'secret')}`]), [failed('PLAIN', 'nobody@example.com')]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('good', 'secret')}`]), [failed('PLAIN', 'good')]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('good@example.com.evil.test', 'secret')}`]), [failed('PLAIN', 'good@example.com.evil.test')]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('hidden@example.com', 'commented')}`]), [failed('PLAIN', 'hidden@example.com')], 'a comment line is no user');
  // qpsmtpd matched the file with the user as a regular expression: "." matched any character.
  t.same(await authSession(t, [`AUTH PLAIN ${plain('axb@example.com', 'dotted')}`]), [failed('PLAIN', 'axb@example.com')], 'no pattern matching');
  t.same(await authSession(t, [`AUTH PLAIN ${plain('a.b@example.com', 'dotted')}`]), [ok('PLAIN', 'a.b@example.com')]);
});

t.test('declined for an unknown user: the next auth plugin decides (authdeny gives its text)', async (t) => {
  const r = await pluginSession(t, crlf('EHLO client.test', `AUTH PLAIN ${plain('nobody@example.com', 'x')}`, 'QUIT'), {
    plugins: ['auth/auth_flat_file', 'auth/authdeny'],
    config: CONFIG,
  });
  t.equal(r.lines[1 + EHLO.length], failed('PLAIN', 'nobody@example.com', 'nobody@example.com is not free to abuse my relay'));
  t.match(r.stderr, /\(auth-plain\) auth::auth_flat_file: fail: no such user: nobody@example\.com/);
});

t.test('users in any case; the password as written, ":" included; lines trimmed', async (t) => {
  t.same(await authSession(t, [`AUTH PLAIN ${plain('mixed.case@example.com', 'MiXed')}`]), [ok('PLAIN', 'mixed.case@example.com')]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('GOOD@Example.Com', 'secret')}`]), [ok('PLAIN', 'GOOD@Example.Com')], 'the reply names the user as sent');
  t.same(await authSession(t, [`AUTH PLAIN ${plain('mixed.case@example.com', 'mixed')}`]), [failed('PLAIN', 'mixed.case@example.com', WRONG)], 'passwords are case-sensitive');
  t.same(await authSession(t, [`AUTH PLAIN ${plain('colon@example.com', 'pa:ss:word')}`]), [ok('PLAIN', 'colon@example.com')]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('colon@example.com', 'pa')}`]), [failed('PLAIN', 'colon@example.com', WRONG)]);
  t.same(await authSession(t, [`AUTH PLAIN ${plain('spaced@example.com', 'trimmed')}`]), [ok('PLAIN', 'spaced@example.com')]);
});

t.test('a user listed with an empty password: 535 "no such user", for every password', async (t) => {
  t.same(await authSession(t, [`AUTH PLAIN ${plain('empty@example.com', 'anything')}`]), [
    failed('PLAIN', 'empty@example.com', 'auth_flat_file - no such user'),
  ]);
});

/** A session up to the CRAM-MD5 challenge, turn by turn; returns the client and the 334 line. */
async function cramChallenge(t: Test, plugins = PLUGINS): Promise<{ client: BinaryClient; challenge: string }> {
  const client = new BinaryClient(t, { plugins, config: CONFIG });
  t.same(await client.reply(), [GREETING]);
  t.same(await client.command('EHLO client.test'), EHLO);
  const [challenge = ''] = await client.command('AUTH CRAM-MD5');
  t.match(challenge, /^334 [A-Za-z0-9+/]+=*$/);
  return { client, challenge };
}

t.test('CRAM-MD5: the right digest 235 and relaying; a wrong one 535; an unknown user 535 without a text', async (t) => {
  const cases: [string, string, string][] = [
    ['good@example.com', 'secret', ok('CRAM-MD5', 'good@example.com')],
    ['Mixed.Case@example.com', 'MiXed', ok('CRAM-MD5', 'Mixed.Case@example.com')],
    ['good@example.com', 'guess', failed('CRAM-MD5', 'good@example.com', WRONG)],
    ['nobody@example.com', 'secret', failed('CRAM-MD5', 'nobody@example.com')],
    ['empty@example.com', '', failed('CRAM-MD5', 'empty@example.com', 'auth_flat_file - no such user')],
  ];
  for (const [user, password, reply] of cases) {
    const { client, challenge } = await cramChallenge(t);
    t.same(await client.command(cramAnswer(challenge, user, password)), [reply], `${user} / ${password || '(empty)'}`);
    t.same(await client.command('MAIL FROM:<s@client.test>'), [SENDER_OK('<s@client.test>')]);
    t.same(await client.command(`RCPT TO:<${OUTSIDE}>`), [reply.startsWith('235') ? RCPT_OK(`<${OUTSIDE}>`) : RELAY_DENIED]);
    t.same(await client.command('QUIT'), [BYE]);
    t.equal(await client.exited, 0);
  }
});

t.test('the password never reaches the log at LOGINFO: PLAIN, LOGIN, CRAM-MD5', async (t) => {
  const password = 'Pw-n0t-in-l0gs';
  const config = { flat_auth_pw: [`log@example.com:${password}`], loglevel: '6' };
  const secrets = [password, plain('log@example.com', password), b64(password), plain('log@example.com', 'wrong-pw'), 'wrong-pw', b64('wrong-pw')];
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      `AUTH PLAIN ${plain('log@example.com', 'wrong-pw')}`,
      'AUTH PLAIN',
      plain('log@example.com', 'wrong-pw'),
      'AUTH LOGIN',
      b64('log@example.com'),
      b64('wrong-pw'),
      `AUTH PLAIN ${plain('log@example.com', password)}`,
      'QUIT',
    ),
    { plugins: PLUGINS, config },
  );
  t.equal(r.lines.filter((l) => l.startsWith('535 ')).length, 3, r.lines.join('\n'));
  t.equal(r.lines.filter((l) => l.startsWith('235 ')).length, 1);
  t.match(r.stderr, /235 PLAIN authentication successful/, 'the log is at LOGINFO');
  for (const secret of secrets) t.notOk(r.stderr.includes(secret), `"${secret}" is not in the log`);

  const { client, challenge } = await cramChallenge(t, PLUGINS);
  const answer = cramAnswer(challenge, 'good@example.com', 'secret');
  t.same(await client.command(answer), [ok('CRAM-MD5', 'good@example.com')]);
  client.send('QUIT');
  await client.exited;
  t.notOk(client.stderr.includes(answer), 'the CRAM-MD5 answer is not in the log');
});

t.test('no flat_auth_pw: the start-up fails with 421, and says why', async (t) => {
  const r = await pluginSession(t, crlf('EHLO client.test', 'QUIT'), { plugins: PLUGINS });
  t.same(r.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`]);
  t.equal(r.code, 1);
  t.match(r.stderr, /auth\/auth_flat_file: config file flat_auth_pw is missing: without it nobody can authenticate/);
});

t.test('an empty flat_auth_pw is no error: nobody can authenticate yet', async (t) => {
  t.same(await authSession(t, [`AUTH PLAIN ${plain('good@example.com', 'secret')}`], { flat_auth_pw: '# nobody yet' }), [
    failed('PLAIN', 'good@example.com'),
  ]);
});

// ---- real clients, under tcpserver ----

const MESSAGE = 'From: s@client.test\nTo: someone@elsewhere.test\nSubject: real client\n\nsent after AUTH\n';

t.test('swaks --auth PLAIN, LOGIN, CRAM-MD5: 235, then relayed with the auth trace headers', async (t) => {
  for (const [mech, wire] of [
    ['PLAIN', 'plain'],
    ['LOGIN', 'login'],
    ['CRAM-MD5', 'cram-md5'],
  ] as const) {
    const work = makeWorkDir(t, { config: { plugins: PLUGINS, ...CONFIG } });
    const server = await startTcpserver(t, work);
    const file = join(work.dir, 'message.txt');
    writeFileSync(file, MESSAGE.slice(0, -1));
    const r = swaks([
      '--server', `127.0.0.1:${server.port}`,
      '--helo', 'client.test',
      '--from', 's@client.test',
      '--to', OUTSIDE,
      '--auth', mech,
      '--auth-user', 'good@example.com',
      '--auth-password', 'secret',
      '--data', `@${file}`,
    ]);
    t.equal(r.status, 0, `${mech}: swaks exit status 0\n${r.stdout}${r.stderr}`);
    const replies = swaksReplies(r.stdout);
    t.equal(replies.find((l) => /^(235|535) /.test(l)), ok(mech, 'good@example.com'), `${mech}: 235`);
    t.ok(swaksSent(r.stdout).some((l) => l.startsWith(`AUTH ${mech}`)), `${mech}: swaks used AUTH ${mech}`);
    t.ok(replies.includes(RCPT_OK(`<${OUTSIDE}>`)), `${mech}: relayed`);
    t.same(await server.ended(1), ['0']);
    const delivered = work.delivered();
    t.equal(delivered.length, 1, `${mech}: delivered`);
    t.match(delivered[0]?.toString('latin1'), authTrace(wire, 'good@example.com'), `${mech}: Authentication-Results and ESMTPA`);
  }
});

t.test('swaks with a wrong password: 535, and the message is not sent', async (t) => {
  for (const mech of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    const work = makeWorkDir(t, { config: { plugins: PLUGINS, ...CONFIG } });
    const server = await startTcpserver(t, work);
    const r = swaks([
      '--server', `127.0.0.1:${server.port}`,
      '--helo', 'client.test',
      '--from', 's@client.test',
      '--to', OUTSIDE,
      '--auth', mech,
      '--auth-user', 'good@example.com',
      '--auth-password', 'wrong',
    ]);
    t.not(r.status, 0, `${mech}: swaks reports the failure`);
    t.equal(swaksReplies(r.stdout).find((l) => /^(235|535) /.test(l)), failed(mech, 'good@example.com', WRONG), mech);
    t.same(await server.ended(1), ['0']);
    t.same(work.delivered(), []);
  }
});

t.test("Python's smtplib login(): CRAM-MD5 first; a wrong password makes it try PLAIN and LOGIN too", async (t) => {
  const work = makeWorkDir(t, { config: { plugins: PLUGINS, ...CONFIG } });
  const server = await startTcpserver(t, work);
  const file = join(work.dir, 'message.eml');
  writeFileSync(file, MESSAGE.replace(/\n/g, '\r\n'));

  const good = smtplibLogin(server.port, 'good@example.com', 'secret', 's@client.test', OUTSIDE, file);
  t.same(good.login, [235, 'CRAM-MD5 authentication successful for good@example.com - auth_flat_file']);
  t.same(good.attempts.map((a) => a[0]), ['CRAM-MD5']);
  t.same(good.send, ['ok', {}], 'the message was accepted for the outside recipient');

  const bad = smtplibLogin(server.port, 'good@example.com', 'wrong', 's@client.test', OUTSIDE, file);
  t.same(bad.attempts, [
    ['CRAM-MD5', 535, 'CRAM-MD5 authentication failed for good@example.com from 127.0.0.1 - auth_flat_file - wrong password'],
    ['PLAIN', 535, 'PLAIN authentication failed for good@example.com from 127.0.0.1 - auth_flat_file - wrong password'],
    ['LOGIN', 535, 'LOGIN authentication failed for good@example.com from 127.0.0.1 - auth_flat_file - wrong password'],
  ]);
  t.equal(bad.login[0], 535);
  t.same(await server.ended(2), ['0', '0']);
  const delivered = work.delivered();
  t.equal(delivered.length, 1, 'only the authenticated message');
  t.match(delivered[0]?.toString('latin1'), authTrace('cram-md5', 'good@example.com'));
  t.ok(delivered[0]?.toString('latin1').endsWith('\n\nsent after AUTH\n'));
});
