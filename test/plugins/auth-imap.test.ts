// auth/auth_imap through dist/qpsmtpd against a real Dovecot IMAP server,
// a private instance started here (test/plugins/auth-peers/dovecot-imap.ts)
// with a passwd-file of SSHA256 hashes, IMAP with STARTTLS and IMAPS, and a
// self-signed certificate: good and wrong passwords, unknown users, names
// and passwords that only survive proper IMAP quoting or literals, every
// TLS mode. The failures Dovecot cannot be made to produce on request (a
// server that never answers, LOGINDISABLED, BAD, NO [UNAVAILABLE], a BYE
// greeting, no STARTTLS) come from a small scripted server; a closed port
// is the server that is down. swaks and Python's smtplib log in through
// tcpserver.

import t, { type Test } from 'tap';
import { freePort, waitFor } from '../helpers/e2e';
import { BYE, crlf, GREETING, HI, ME, pluginSession, type PluginSessionResult } from '../helpers/plugin-session';
import { smtplibLogin, startTcpserver, swaksAuth } from './auth-peers/clients';
import { IMAP_USERS, startDovecotImap, type DovecotImap } from './auth-peers/dovecot-imap';
import { startScripted } from './queue-peers/scripted';

const EHLO = [`250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250-SIZE 26214400', '250 AUTH PLAIN LOGIN'];
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const OK_PLAIN = (user: string, mech = 'plain') => `235 ${mech.toUpperCase()} authentication successful for ${user} - auth_imap/${mech}`;
const FAIL = (user: string, server: string, mech = 'PLAIN') => `535 ${mech} authentication failed for ${user} from 127.0.0.1 - auth_imap - invalid password for ${user} at ${server}`;
const TEMP = (user: string, text: string) => `454 PLAIN authentication temporarily failed for ${user} from 127.0.0.1 - auth_imap - ${text}`;

function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** EHLO, AUTH PLAIN with an initial response, QUIT, with these plugin lines. */
function authPlain(t: Test, plugins: string[], user: string, password: string, loglevel = '6'): Promise<PluginSessionResult> {
  return pluginSession(t, crlf('EHLO x', `AUTH PLAIN ${plain(user, password)}`, 'QUIT'), { plugins, config: { loglevel } });
}

let dovecot: DovecotImap;

/** Dovecot writes its log through its own log process, a moment after it answered: wait for the line. */
async function sawInLog(what: string | RegExp): Promise<boolean> {
  const found = (): boolean => (typeof what === 'string' ? dovecot.log().includes(what) : what.test(dovecot.log()));
  return waitFor(`Dovecot to log ${what}`, found, 5000).catch(() => false);
}
let server: string;
let imap: (...extra: string[]) => string[];
t.before(async () => {
  dovecot = await startDovecotImap(t);
  server = `127.0.0.1:${dovecot.port}`;
  imap = (...extra) => [['auth/auth_imap', '127.0.0.1', String(dovecot.port), ...extra].join(' '), 'rcpt_ok'];
});

t.test('a good password: 235, and the client may relay', async (t) => {
  const r = await pluginSession(
    t,
    crlf('EHLO x', `AUTH PLAIN ${plain('alice', IMAP_USERS.alice!)}`, 'MAIL FROM:<alice@example.com>', 'RCPT TO:<someone@elsewhere.test>', 'QUIT'),
    { plugins: imap() },
  );
  t.same(r.lines, [GREETING, ...EHLO, OK_PLAIN('alice'), '250 <alice@example.com>, sender OK - how exciting to get mail from you!', '250 <someone@elsewhere.test>, recipient ok', BYE], r.stderr);
  t.match(r.stderr, `auth::auth_imap: pass: alice logged in at ${server}`);
  t.notMatch(r.stderr, IMAP_USERS.alice!, 'the password is not logged');
  t.ok(await sawInLog(/imap\(alice\)<[^>]*><[^>]*>: Info: Disconnected: Logged out/), 'Dovecot saw LOGIN and LOGOUT');
});

t.test('AUTH LOGIN with the 334 prompts, and with the user name as initial response', async (t) => {
  const r = await pluginSession(t, crlf('EHLO x', 'AUTH LOGIN', b64('alice'), b64(IMAP_USERS.alice!), 'QUIT'), { plugins: imap() });
  t.same(r.lines, [GREETING, ...EHLO, '334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', OK_PLAIN('alice', 'login'), BYE], r.stderr);
  const r2 = await pluginSession(t, crlf('EHLO x', `AUTH LOGIN ${b64('alice')}`, b64('wrong'), 'QUIT'), { plugins: imap() });
  t.same(r2.lines, [GREETING, ...EHLO, '334 UGFzc3dvcmQ6', FAIL('alice', server, 'LOGIN'), BYE], r2.stderr);
});

t.test('a wrong password and an unknown user: 535 with the server named, as qpsmtpd', async (t) => {
  const r = await authPlain(t, imap(), 'alice', 'not-her-password');
  t.same(r.lines, [GREETING, ...EHLO, FAIL('alice', server), BYE], r.stderr);
  t.match(r.stderr, `auth::auth_imap: fail: ${server} refused alice: NO [AUTHENTICATIONFAILED] Authentication failed.`);
  t.notMatch(r.stderr, 'not-her-password', 'the password is not logged');
  const u = await authPlain(t, imap(), 'nosuchuser', 'whatever');
  t.same(u.lines, [GREETING, ...EHLO, FAIL('nosuchuser', server), BYE], u.stderr);
});

t.test('a failed AUTH may be followed by a good one', async (t) => {
  const r = await pluginSession(t, crlf('EHLO x', `AUTH PLAIN ${plain('alice', 'bad')}`, `AUTH PLAIN ${plain('alice', IMAP_USERS.alice!)}`, 'QUIT'), { plugins: imap() });
  t.same(r.lines, [GREETING, ...EHLO, FAIL('alice', server), OK_PLAIN('alice'), BYE], r.stderr);
});

t.test('special characters: quoted strings and literals carry every byte', async (t) => {
  // bob: '"', '\', spaces, "{3}" and non-ASCII (a literal); dave: '"' and '\' only (a quoted string); "mary ann": a space in the name.
  for (const user of ['bob', 'dave', 'mary ann']) {
    const r = await authPlain(t, imap(), user, IMAP_USERS[user]!);
    t.same(r.lines, [GREETING, ...EHLO, OK_PLAIN(user), BYE], `${user}\n${r.stderr}`);
    // One character off must fail: the server compared the whole password.
    const w = await authPlain(t, imap(), user, `${IMAP_USERS[user]!.slice(0, -1)}X`);
    t.same(w.lines, [GREETING, ...EHLO, FAIL(user, server), BYE], `${user}, one character off\n${w.stderr}`);
  }
});

t.test('CR and LF inside a password reach Dovecot as bytes, and it refuses them', async (t) => {
  const r = await authPlain(t, imap(), 'carol', IMAP_USERS.carol!);
  t.same(r.lines, [GREETING, ...EHLO, FAIL('carol', server), BYE], r.stderr);
  // Dovecot's auth debug log shows what LOGIN carried, as SASL PLAIN: the exact bytes, not a broken command.
  t.ok(await sawInLog(`resp=${plain('carol', 'line1\r\nline2')}`), 'Dovecot got the password with its CR LF');
  t.ok(await sawInLog('Attempted login with password having illegal chars'), 'and refused it for them');
});

t.test('a user name with a quote and a backslash arrives intact (and is unknown)', async (t) => {
  const r = await authPlain(t, imap(), 'x"y\\z', 'pw');
  t.same(r.lines, [GREETING, ...EHLO, FAIL('x"y\\z', server), BYE], r.stderr);
  t.ok(await sawInLog('passwd-file(x"y\\z,127.0.0.1,'), 'Dovecot looked up the name as sent');
});

t.test('STARTTLS and IMAPS, the certificate checked against a CA file', async (t) => {
  const starttls = await authPlain(t, imap('starttls', 'ca', dovecot.certFile), 'alice', IMAP_USERS.alice!);
  t.same(starttls.lines, [GREETING, ...EHLO, OK_PLAIN('alice'), BYE], starttls.stderr);
  const imaps = [`auth/auth_imap 127.0.0.1 ${dovecot.tlsPort} imaps ca ${dovecot.certFile}`];
  const good = await authPlain(t, imaps, 'bob', IMAP_USERS.bob!);
  t.same(good.lines, [GREETING, ...EHLO, OK_PLAIN('bob'), BYE], good.stderr);
  const bad = await authPlain(t, imaps, 'bob', 'wrong');
  t.same(bad.lines, [GREETING, ...EHLO, FAIL('bob', `127.0.0.1:${dovecot.tlsPort}`), BYE], bad.stderr);
  t.ok(await sawInLog(/Login: user=<alice>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS/), 'Dovecot logged a TLS login');
});

t.test('an untrusted certificate: 454, and no password is sent', async (t) => {
  const where = `127.0.0.1:${dovecot.tlsPort}`;
  const r = await authPlain(t, [`auth/auth_imap 127.0.0.1 ${dovecot.tlsPort} imaps`], 'alice', IMAP_USERS.alice!);
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice', `temporary auth error: TLS with ${where} failed`), BYE], r.stderr);
  t.match(r.stderr, `skip: ${where}: tls at TLS handshake: self-signed certificate`);
  const s = await authPlain(t, imap('starttls'), 'alice', IMAP_USERS.alice!);
  t.same(s.lines, [GREETING, ...EHLO, TEMP('alice', `temporary auth error: TLS with ${server} failed`), BYE], s.stderr);
  t.match(s.stderr, `skip: ${server}: tls at STARTTLS: self-signed certificate`);
});

t.test('the server is down: 454 "could not connect"', async (t) => {
  const port = await freePort();
  const r = await authPlain(t, [`auth/auth_imap 127.0.0.1 ${port}`], 'alice', 'pw');
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice', `could not connect to 127.0.0.1:${port}`), BYE], r.stderr);
  t.match(r.stderr, `skip: 127.0.0.1:${port}: connect: connection refused`);
});

t.test('a server that accepts and never answers: 454 after the timeout', async (t) => {
  const silent = await startScripted(t, undefined, () => undefined);
  const where = `127.0.0.1:${silent.port}`;
  const r = await authPlain(t, [`auth/auth_imap 127.0.0.1 ${silent.port} timeout 1`], 'alice', 'pw');
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice', `temporary auth error: no answer from ${where}`), BYE], r.stderr);
  t.match(r.stderr, `skip: ${where}: timeout at greeting: no reply within 1 s`);
});

t.test('a server that stops answering at LOGIN: 454 after the timeout', async (t) => {
  const mute = await startScripted(t, '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n', () => undefined);
  const r = await authPlain(t, [`auth/auth_imap 127.0.0.1 ${mute.port} timeout 1`], 'alice', 'pw');
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice', `temporary auth error: no answer from 127.0.0.1:${mute.port}`), BYE], r.stderr);
  t.same(mute.lines, ['a1 LOGIN "alice" "pw"'], 'the user and password went as quoted strings');
});

t.test('what Dovecot cannot be made to say: LOGINDISABLED, BAD, NO [UNAVAILABLE], BYE, PREAUTH, no STARTTLS, STARTTLS injection, not IMAP', async (t) => {
  const cases: { greeting: string; reply?: (line: string, tag: string) => string | undefined; extra?: string[]; text: (where: string) => string; log: RegExp; sent: RegExp[] }[] = [
    {
      greeting: '* OK [CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS] ready\r\n',
      text: (w) => `temporary auth error: ${w} refused the session`,
      log: /refused at LOGIN: the server takes no password on this connection \(LOGINDISABLED\): use imaps or starttls/,
      sent: [],
    },
    {
      greeting: '* OK ready\r\n',
      reply: (line, tag) => (line === 'a1 CAPABILITY' ? `* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n${tag} OK done\r\n` : undefined),
      text: (w) => `temporary auth error: ${w} refused the session`,
      log: /LOGINDISABLED/,
      sent: [/^a1 CAPABILITY$/],
    },
    {
      greeting: '* OK [CAPABILITY IMAP4rev1] ready\r\n',
      reply: (line, tag) => (/ LOGIN /.test(line) ? `${tag} BAD what?\r\n` : undefined),
      text: (w) => `temporary auth error: protocol error with ${w}`,
      log: /protocol at LOGIN: BAD what\?/,
      sent: [/^a1 LOGIN "alice" "pw"$/],
    },
    {
      greeting: '* OK [CAPABILITY IMAP4rev1] ready\r\n',
      reply: (line, tag) => (/ LOGIN /.test(line) ? `${tag} NO [UNAVAILABLE] the user database is down\r\n` : undefined),
      text: (w) => `temporary auth error: ${w} is unavailable`,
      log: /cannot check passwords now: NO \[UNAVAILABLE\] the user database is down/,
      sent: [/^a1 LOGIN/, /^a2 LOGOUT$/],
    },
    {
      greeting: '* BYE too many connections\r\n',
      text: (w) => `temporary auth error: ${w} refused the session`,
      log: /refused at greeting: too many connections/,
      sent: [],
    },
    {
      greeting: '* PREAUTH [CAPABILITY IMAP4rev1] welcome back\r\n',
      text: (w) => `temporary auth error: protocol error with ${w}`,
      log: /protocol at greeting: PREAUTH greeting/,
      sent: [],
    },
    {
      greeting: '* OK [CAPABILITY IMAP4rev1] ready\r\n',
      extra: ['starttls'],
      text: (w) => `temporary auth error: TLS with ${w} failed`,
      log: /tls at STARTTLS: the server does not offer STARTTLS/,
      sent: [],
    },
    {
      // STARTTLS injection: whatever comes in the clear after the server's OK is not trusted, and ends the session.
      greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n',
      reply: (line, tag) => (line === 'a1 STARTTLS' ? `${tag} OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1] injected\r\n` : undefined),
      extra: ['starttls'],
      text: (w) => `temporary auth error: protocol error with ${w}`,
      log: /protocol at STARTTLS: data sent in the clear before the TLS handshake/,
      sent: [/^a1 STARTTLS$/],
    },
    {
      greeting: 'HTTP/1.1 400 Bad Request\r\n',
      text: (w) => `temporary auth error: protocol error with ${w}`,
      log: /protocol at greeting/,
      sent: [],
    },
  ];
  for (const c of cases) {
    const fake = await startScripted(t, c.greeting, (line, socket) => {
      const tag = line.split(' ')[0]!;
      const answer = c.reply?.(line, tag);
      if (answer) socket.write(answer);
      else if (/ LOGOUT$/.test(line)) socket.end(`* BYE bye\r\n${tag} OK done\r\n`);
    });
    const where = `127.0.0.1:${fake.port}`;
    const r = await authPlain(t, [['auth/auth_imap', '127.0.0.1', fake.port, ...(c.extra ?? []), 'timeout', '2'].join(' ')], 'alice', 'pw');
    t.same(r.lines, [GREETING, ...EHLO, TEMP('alice', c.text(where)), BYE], `${c.greeting.trim()}\n${r.stderr}`);
    t.match(r.stderr, c.log);
    t.equal(fake.lines.length, c.sent.length, `${c.greeting.trim()}: what the server received: ${JSON.stringify(fake.lines)}`);
    c.sent.forEach((re, i) => t.match(fake.lines[i], re));
  }
});

t.test('a literal goes only after the server asked for it; a refusal instead stops the password', async (t) => {
  const fake = await startScripted(t, '* OK [CAPABILITY IMAP4rev1] ready\r\n', (line, socket) => {
    const tag = line.split(' ')[0]!;
    if (line === 'a1 LOGIN {6}') socket.write('+ go ahead\r\n');
    else if (line.endsWith(' {5}')) socket.write('a1 NO [AUTHENTICATIONFAILED] no more literals\r\n');
    else if (/ LOGOUT$/.test(line)) socket.end(`* BYE bye\r\n${tag} OK done\r\n`);
  });
  // A non-ASCII name and password: neither fits a quoted string. The name is 6 bytes of UTF-8, the password 5.
  const r = await authPlain(t, [`auth/auth_imap 127.0.0.1 ${fake.port} timeout 2`], '\u00e4lice', 'p\u00e4ss');
  t.same(r.lines, [GREETING, ...EHLO, `535 PLAIN authentication failed for \u00e4lice from 127.0.0.1 - auth_imap - invalid password for ?lice at 127.0.0.1:${fake.port}`, BYE], r.stderr);
  // The scripted server reads latin1: the UTF-8 "\u00e4" shows as two characters.
  t.same(fake.lines, ['a1 LOGIN {6}', '\u00c3\u00a4lice {5}', 'a2 LOGOUT'], 'the name after "+", the password never');
});

t.test('CRAM-MD5 is not offered (IMAP LOGIN needs the clear password)', async (t) => {
  const r = await pluginSession(t, crlf('EHLO x', 'AUTH CRAM-MD5', 'QUIT'), { plugins: imap() });
  t.same(r.lines, [GREETING, ...EHLO, '504 Unimplemented authentication mechanism: cram-md5', BYE], r.stderr);
});

t.test('a broken plugin line stops the start-up with 421 and says why', async (t) => {
  const cases: [string, string][] = [
    ['auth/auth_imap', 'No IMAP server specified in plugins file.'],
    ['auth/auth_imap bad/host', 'Bad data in imap server: bad/host'],
    ['auth/auth_imap 127.0.0.1 70000', 'auth/auth_imap: port 70000 is out of range'],
    ['auth/auth_imap 127.0.0.1 143 ssl', 'auth/auth_imap: unknown argument "ssl"'],
    ['auth/auth_imap 127.0.0.1 imaps starttls', 'auth/auth_imap: imaps and starttls exclude each other'],
    ['auth/auth_imap 127.0.0.1 timeout 0', 'auth/auth_imap: timeout needs a number of seconds greater than 0, not "0"'],
    ['auth/auth_imap 127.0.0.1 ca /etc/hostname', 'auth/auth_imap: ca is only used with imaps or starttls'],
    ['auth/auth_imap 127.0.0.1 imaps ca /nonexistent/ca.pem', 'auth/auth_imap: cannot read the CA file /nonexistent/ca.pem: ENOENT'],
    ['auth/auth_imap 127.0.0.1 imaps ca /etc/hostname', 'auth/auth_imap: the CA file /etc/hostname holds no PEM certificate'],
  ];
  for (const [line, why] of cases) {
    const r = await pluginSession(t, crlf('EHLO x', 'QUIT'), { plugins: [line] });
    t.same(r.lines, [UNAVAILABLE], line);
    t.match(r.stderr, why, line);
    t.equal(r.code, 1, `${line}: exit status 1`);
  }
});

t.test('swaks --auth PLAIN and LOGIN through tcpserver', async (t) => {
  const port = await startTcpserver(t, { plugins: imap() });
  const ok = swaksAuth(port, 'PLAIN', 'bob', IMAP_USERS.bob!);
  t.equal(ok.status, 0, ok.output);
  t.same(ok.replies.slice(-2), [OK_PLAIN('bob'), BYE], ok.output);
  const login = swaksAuth(port, 'LOGIN', 'dave', IMAP_USERS.dave!);
  t.same(login.replies.slice(-4), ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', OK_PLAIN('dave', 'login'), BYE], login.output);
  const bad = swaksAuth(port, 'PLAIN', 'bob', 'wrong');
  t.not(bad.status, 0, 'swaks fails on 535');
  t.same(bad.replies.slice(-2), [FAIL('bob', server), BYE], bad.output);
});

t.test("Python's smtplib login() through tcpserver", async (t) => {
  const port = await startTcpserver(t, { plugins: imap() });
  const ok = smtplibLogin(port, 'dave', IMAP_USERS.dave!);
  t.equal(ok.status, 0, ok.output);
  t.same(ok.lines, ['EHLO AUTH PLAIN LOGIN', OK_PLAIN('dave').replace(/^235 /, 'AUTH 235 ')], ok.output);
  const bad = smtplibLogin(port, 'dave', 'nope');
  t.equal(bad.status, 1, bad.output);
  // smtplib tries every mechanism offered (PLAIN, then LOGIN) and reports the last refusal.
  t.same(bad.lines, ['EHLO AUTH PLAIN LOGIN', FAIL('dave', server, 'LOGIN').replace(/^535 /, 'AUTH 535 ')], bad.output);
});
