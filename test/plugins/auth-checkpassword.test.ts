// auth/auth_checkpassword through dist/qpsmtpd. The real peer is Debian's
// checkpw (package checkpw, a checkpassword program that reads
// ~/Maildir/.password of a system user): the tests create such a user with
// useradd (they run as root). What checkpw cannot be made to do on request
// (hang, crash, complain, write on its stdout, show what it was given) is
// done by test/fixtures/checkpassword-fake.py, a small program with the same
// interface written for these tests. Every reply path: 235, 535 (refused:
// declined, the next auth plugin may decide), 454 (exit 111, a crash, no
// answer in time), CRAM-MD5 not offered, and every misconfiguration
// stopping the start-up with 421.

import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp, makeWorkDir, requireProgram } from '../helpers/e2e';
import { BinaryClient, BYE, crlf, GO_AHEAD, GREETING, ME, pluginSession, RCPT_OK, SENDER_OK, VERSION } from '../helpers/plugin-session';
import { b64, plain, startTcpserver, swaks, swaksReplies } from './auth-local-peers/clients';
import { createUser } from './auth-local-peers/system-user';

const CHECKPW = requireProgram('checkpw', 'checkpw');
const TRUE = '/bin/true';
const FAKE = resolve(__dirname, '../fixtures/checkpassword-fake.py');
const PLUGIN = `auth/auth_checkpassword checkpw ${CHECKPW} true ${TRUE}`;
const EHLO = [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250-8BITMIME', '250-SIZE 26214400', '250 AUTH PLAIN LOGIN'];
const OUTSIDE = 'someone@elsewhere.test';
const RELAY_DENIED = '550 Relaying denied (#5.7.1)';
const STARTUP_FAILED = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const ok = (mech: string, user: string): string => `235 ${mech} authentication successful for ${user} - auth_checkpassword`;
const refused = (mech: string, user: string, text?: string): string =>
  `535 ${mech} authentication failed for ${user} from 127.0.0.1${text ? ` - ${text}` : ''}`;
const temporary = (mech: string, user: string): string =>
  `454 ${mech} authentication temporarily failed for ${user} from 127.0.0.1 - auth_checkpassword - temporary failure, try again later`;

interface Options {
  plugins?: string[];
  /** The last EHLO line, when other auth plugins add mechanisms. */
  auth?: string;
  config?: Record<string, string | string[]>;
  env?: Record<string, string>;
}

/** EHLO, the AUTH lines, QUIT, pipelined; returns the replies after EHLO without the 221, and the log. */
async function authSession(t: Test, authLines: string[], options: Options = {}): Promise<{ replies: string[]; stderr: string }> {
  const r = await pluginSession(t, crlf('EHLO client.test', ...authLines, 'QUIT'), {
    plugins: options.plugins ?? [PLUGIN, 'rcpt_ok'],
    config: options.config,
    env: options.env,
  });
  const ehlo = options.auth ? [...EHLO.slice(0, -1), options.auth] : EHLO;
  t.same(r.lines.slice(0, 1 + EHLO.length), [GREETING, ...ehlo], `greeting and EHLO\n${r.stderr}`);
  t.equal(r.lines.at(-1), BYE);
  return { replies: r.lines.slice(1 + EHLO.length, -1), stderr: r.stderr };
}

// ---- against Debian's checkpw ----

t.test('checkpw, right password: 235 (PLAIN and LOGIN), relaying allowed, the auth trace headers', async (t) => {
  const user = createUser(t, 'Right-Pass');
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'RSET',
      `AUTH PLAIN ${plain(user.name, 'Right-Pass')}`,
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'DATA',
      'Subject: checkpw',
      '',
      'hi',
      '.',
      'QUIT',
    ),
    { plugins: [PLUGIN, 'rcpt_ok', 'queue/maildir @WORK@/maildir'] },
  );
  t.same(
    r.lines,
    [
      GREETING,
      ...EHLO,
      SENDER_OK('<s@client.test>'),
      RELAY_DENIED,
      '250 OK',
      ok('PLAIN', user.name),
      SENDER_OK('<s@client.test>'),
      RCPT_OK(`<${OUTSIDE}>`),
      GO_AHEAD,
      '250 Queued! ',
      BYE,
    ],
    r.stderr,
  );
  const head =
    `Return-Path: <s@client.test>\nDelivered-To: ${OUTSIDE}\n` +
    `Authentication-Results: ${ME}; auth=pass (plain) smtp.auth=${user.name}\n` +
    `Received: from [127.0.0.1] (HELO client.test) (127.0.0.1)\n by ${ME} (qpsmtpd-ts/${VERSION}) with ESMTPA ; `;
  t.match(r.delivered[0]?.toString('latin1'), new RegExp(`^${escapeRegExp(head)}${DATE_PATTERN}\\nSubject: checkpw\\n\\nhi\\n$`));
  t.match(r.stderr, /\(auth-plain\) auth::auth_checkpassword: pass, auth success with plain/);

  const login = await authSession(t, ['AUTH LOGIN', b64(user.name), b64('Right-Pass')]);
  t.same(login.replies, ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', ok('LOGIN', user.name)]);
});

t.test('checkpw refuses (wrong password, unknown user): declined, 535 without a text, no relaying', async (t) => {
  const user = createUser(t, 'Right-Pass');
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      `AUTH PLAIN ${plain(user.name, 'right-pass')}`,
      'AUTH LOGIN',
      b64('no-such-user-here'),
      b64('Right-Pass'),
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'QUIT',
    ),
    { plugins: [PLUGIN, 'rcpt_ok'] },
  );
  t.same(r.lines.slice(1 + EHLO.length), [
    refused('PLAIN', user.name),
    '334 VXNlcm5hbWU6',
    '334 UGFzc3dvcmQ6',
    refused('LOGIN', 'no-such-user-here'),
    SENDER_OK('<s@client.test>'),
    RELAY_DENIED,
    BYE,
  ]);
  t.match(r.stderr, /\(auth-plain\) auth::auth_checkpassword: fail, auth failed: exit 1/);
});

t.test('declined: the next auth plugin decides (authdeny, auth_flat_file)', async (t) => {
  const user = createUser(t, 'Right-Pass');
  const all = '250 AUTH PLAIN LOGIN CRAM-MD5';
  const denied = await authSession(t, [`AUTH PLAIN ${plain(user.name, 'wrong')}`], { plugins: [PLUGIN, 'auth/authdeny'], auth: all });
  t.same(denied.replies, [refused('PLAIN', user.name, `${user.name} is not free to abuse my relay`)]);
  const flat = await authSession(t, [`AUTH PLAIN ${plain('flat@example.com', 'from-the-file')}`], {
    plugins: [PLUGIN, 'auth/auth_flat_file'],
    config: { flat_auth_pw: 'flat@example.com:from-the-file' },
    auth: all,
  });
  t.same(flat.replies, ['235 PLAIN authentication successful for flat@example.com - auth_flat_file']);
});

t.test('checkpw exits 111 (the home directory is missing): 454, a temporary failure', async (t) => {
  const user = createUser(t, undefined);
  const r = await authSession(t, [`AUTH PLAIN ${plain(user.name, 'whatever')}`, 'AUTH LOGIN', b64(user.name), b64('whatever')]);
  t.same(r.replies, [temporary('PLAIN', user.name), '334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', temporary('LOGIN', user.name)]);
  t.match(r.stderr, /auth::auth_checkpassword: fail, temporary problem: exit 111/);
});

t.test('CRAM-MD5 is not offered (checkpassword needs the clear password): 504', async (t) => {
  const r = await authSession(t, ['AUTH CRAM-MD5']);
  t.same(r.replies, ['504 Unimplemented authentication mechanism: cram-md5']);
});

t.test('config smtpauth-checkpassword instead of arguments', async (t) => {
  const user = createUser(t, 'Right-Pass');
  const r = await authSession(t, [`AUTH PLAIN ${plain(user.name, 'Right-Pass')}`], {
    plugins: ['auth/auth_checkpassword', 'rcpt_ok'],
    config: { 'smtpauth-checkpassword': `${CHECKPW} ${TRUE}` },
  });
  t.same(r.replies, [ok('PLAIN', user.name)]);
});

t.test('the password never reaches the log at LOGINFO', async (t) => {
  const user = createUser(t, 'Log-Secret-1');
  const r = await authSession(
    t,
    [`AUTH PLAIN ${plain(user.name, 'Wrong-Secret-2')}`, 'AUTH LOGIN', b64(user.name), b64('Log-Secret-1')],
    { config: { loglevel: '6' } },
  );
  t.same(r.replies, [refused('PLAIN', user.name), '334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', ok('LOGIN', user.name)]);
  t.match(r.stderr, /235 LOGIN authentication successful/, 'the log is at LOGINFO');
  for (const secret of ['Log-Secret-1', 'Wrong-Secret-2', b64('Log-Secret-1'), plain(user.name, 'Wrong-Secret-2')]) {
    t.notOk(r.stderr.includes(secret), `"${secret}" is not in the log`);
  }
});

t.test('swaks --auth PLAIN and LOGIN against checkpw under tcpserver', async (t) => {
  const user = createUser(t, 'Swaks-Pass');
  for (const mech of ['PLAIN', 'LOGIN']) {
    const work = makeWorkDir(t, { config: { plugins: [PLUGIN, 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
    const server = await startTcpserver(t, work);
    const r = swaks([
      '--server', `127.0.0.1:${server.port}`,
      '--helo', 'client.test',
      '--from', 's@client.test',
      '--to', OUTSIDE,
      '--auth', mech,
      '--auth-user', user.name,
      '--auth-password', 'Swaks-Pass',
    ]);
    t.equal(r.status, 0, `${mech}: swaks exit status 0\n${r.stdout}${r.stderr}`);
    const replies = swaksReplies(r.stdout);
    t.equal(replies.find((l) => /^(235|454|535) /.test(l)), ok(mech, user.name));
    t.ok(replies.includes(RCPT_OK(`<${OUTSIDE}>`)), `${mech}: relayed`);
    t.same(await server.ended(1), ['0']);
    t.match(work.delivered()[0]?.toString('latin1'), new RegExp(`auth=pass \\(${mech.toLowerCase()}\\) smtp\\.auth=${user.name}\\n`));
  }
});

// ---- against the fake checkpassword program ----

/** The fake as the checkpassword program; its record file. */
function fakeSetup(t: Test, trueProgram = TRUE, extra = ''): { plugins: string[]; env: Record<string, string>; record: string } {
  const work = makeWorkDir(t);
  const record = join(work.dir, 'record.json');
  return {
    plugins: [`auth/auth_checkpassword checkpw ${FAKE} true ${trueProgram}${extra}`, 'rcpt_ok'],
    env: { FAKE_CHECKPW_RECORD: record },
    record,
  };
}

interface FakeRecord {
  input: string;
  argv: string[];
  fd0: string;
  fd1: string;
  pid: number;
  child?: number;
}

const readRecord = (path: string): FakeRecord => JSON.parse(readFileSync(path, 'utf8')) as FakeRecord;

t.test('the program gets "user\\0password\\0timestamp\\0" on fd 3, the true program as its arguments, /dev/null as fd 0 and 1', async (t) => {
  const fake = fakeSetup(t);
  const r = await authSession(t, [`AUTH PLAIN ${plain('ok@example.com', 'pass word:é')}`], fake);
  t.same(r.replies, [ok('PLAIN', 'ok@example.com')]);
  const record = readRecord(fake.record);
  t.equal(record.input, Buffer.from('ok@example.com\0pass word:é\0Y123456\0').toString('latin1'), 'the bytes on fd 3 (UTF-8)');
  t.same(record.argv, [TRUE]);
  t.equal(record.fd0, '/dev/null');
  t.equal(record.fd1, '/dev/null');
});

t.test('the true program decides in the end: /bin/false makes it a refusal', async (t) => {
  const fake = fakeSetup(t, '/bin/false');
  const r = await authSession(t, [`AUTH PLAIN ${plain('ok@example.com', 'pw')}`], fake);
  t.same(r.replies, [refused('PLAIN', 'ok@example.com')]);
});

t.test('exit 111, 2, a crash: 454, 535 (logged as misuse), 454', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['temp@example.com', temporary('PLAIN', 'temp@example.com'), /fail, temporary problem: exit 111/],
    ['misuse@example.com', refused('PLAIN', 'misuse@example.com'), /error \(auth-plain\) auth::auth_checkpassword: fail, the program says it was misused \(exit 2\)/],
    ['crash@example.com', temporary('PLAIN', 'crash@example.com'), /fail, temporary problem: killed by SIGSEGV/],
  ];
  for (const [user, reply, log] of cases) {
    const fake = fakeSetup(t);
    const r = await authSession(t, [`AUTH PLAIN ${plain(user, 'pw')}`], fake);
    t.same(r.replies, [reply], user);
    t.match(r.stderr, log);
  }
});

t.test('what it writes on fd 1 never reaches the client; what it says on fd 2 is logged', async (t) => {
  const fake = fakeSetup(t);
  const r = await pluginSession(t, crlf('EHLO client.test', `AUTH PLAIN ${plain('noisy@example.com', 'pw')}`, 'QUIT'), {
    plugins: fake.plugins,
    env: fake.env,
  });
  t.same(r.lines, [GREETING, ...EHLO, refused('PLAIN', 'noisy@example.com'), BYE]);
  t.notOk(r.output.toString('latin1').includes('garbage'));
  t.match(r.stderr, /warn \(auth-plain\) auth::auth_checkpassword: the program said: complaint on fd 2/);
});

/** Whether a process is still there and not a zombie. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

t.test('no exit within the timeout: 454, the program and its child killed, the program reaped, the session goes on', async (t) => {
  const fake = fakeSetup(t, TRUE, ' timeout 1');
  const client = new BinaryClient(t, { plugins: fake.plugins, env: fake.env });
  t.same(await client.reply(), [GREETING]);
  t.same(await client.command('EHLO client.test'), EHLO);
  t.same(await client.command(`AUTH PLAIN ${plain('hang@example.com', 'pw')}`), [temporary('PLAIN', 'hang@example.com')]);
  const record = readRecord(fake.record);
  t.notOk(existsSync(`/proc/${record.pid}`), 'the program is gone: killed and waited for (no zombie)');
  t.notOk(alive(record.child!), 'the child it started was killed too');
  t.same(await client.command('NOOP'), ['250 OK'], 'the session goes on');
  t.same(await client.command('QUIT'), [BYE]);
  t.equal(await client.exited, 0);
  t.match(client.stderr, /auth::auth_checkpassword: fail, temporary problem: no answer within 1 s; killed/);
});

t.test('plugin_timeout shorter than the timeout: the plugin still answers (454) before the core gives up', async (t) => {
  const fake = fakeSetup(t);
  const r = await authSession(t, [`AUTH PLAIN ${plain('hang@example.com', 'pw')}`], { ...fake, config: { plugin_timeout: '2' } });
  t.same(r.replies, [temporary('PLAIN', 'hang@example.com')]);
  const record = readRecord(fake.record);
  t.notOk(alive(record.pid), 'the program was killed');
});

t.test('a NUL in the LOGIN user name: refused without running the program', async (t) => {
  const fake = fakeSetup(t);
  const r = await authSession(t, ['AUTH LOGIN', b64('ok@example.com\0x'), b64('pw')], fake);
  t.same(r.replies.slice(0, 2), ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6']);
  t.match(r.replies[2], /^535 LOGIN authentication failed for ok@example\.com/);
  t.match(r.stderr, /auth::auth_checkpassword: fail, a NUL in the user name or password/);
  t.notOk(existsSync(fake.record), 'the program did not run');
});

// ---- misconfiguration: the start-up fails ----

t.test('a misconfiguration stops the start-up with 421 and says what is wrong', async (t) => {
  const work = makeWorkDir(t);
  const notExecutable = join(work.dir, 'not-executable');
  writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
  chmodSync(notExecutable, 0o644);
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['nothing configured', ['auth/auth_checkpassword'], {}, /auth\/auth_checkpassword: no checkpassword program configured; give "checkpw <program> true <program>"/],
    ['checkpw without true', [`auth/auth_checkpassword checkpw ${CHECKPW}`], {}, /checkpw and true go together/],
    ['a relative path', [`auth/auth_checkpassword checkpw checkpw true ${TRUE}`], {}, /checkpassword program "checkpw" is not an absolute path/],
    ['a missing program', [`auth/auth_checkpassword checkpw /nonexistent/checkpw true ${TRUE}`], {}, /checkpassword program "\/nonexistent\/checkpw" cannot be run \(ENOENT\)/],
    ['a program that is not executable', [`auth/auth_checkpassword checkpw ${CHECKPW} true ${notExecutable}`], {}, /program to run on success ".*not-executable" cannot be run \(EACCES\)/],
    ['a directory', [`auth/auth_checkpassword checkpw /usr/bin true ${TRUE}`], {}, /checkpassword program "\/usr\/bin" is not a file/],
    ['an unknown argument', [`auth/auth_checkpassword checkpw ${CHECKPW} true ${TRUE} sudo 1`], {}, /unknown argument "sudo"/],
    ['a bad timeout', [`auth/auth_checkpassword checkpw ${CHECKPW} true ${TRUE} timeout soon`], {}, /timeout needs a number of seconds greater than 0, not "soon"/],
    ['one word in the config file', ['auth/auth_checkpassword'], { 'smtpauth-checkpassword': CHECKPW }, /no checkpassword program configured/],
  ];
  for (const [what, plugins, config, message] of cases) {
    const r = await pluginSession(t, crlf('EHLO client.test', 'QUIT'), { plugins, config });
    t.same(r.lines, [STARTUP_FAILED], what);
    t.equal(r.code, 1, `${what}: exit status 1`);
    t.match(r.stderr, message, what);
  }
});
