// auth/auth_ldap_bind through dist/qpsmtpd against a real OpenLDAP slapd, a
// private instance started here (test/plugins/auth-peers/slapd.ts) with an
// mdb database loaded by slapadd and {SSHA} passwords made by slappasswd:
// good and wrong passwords, unknown and ambiguous names, filter injection,
// a password full of special characters, a subtree only a service DN may
// search, a filter template, a base that does not exist. A closed port is
// the server that is down, a socket that accepts and never answers the
// server that times out, and a socket that answers garbage the broken one.
// swaks and Python's smtplib log in through tcpserver.

import t, { type Test } from 'tap';
import { freePort } from '../helpers/e2e';
import { BYE, crlf, GREETING, HI, ME, pluginSession, type PluginSessionResult } from '../helpers/plugin-session';
import { smtplibLogin, startTcpserver, swaksAuth } from './auth-peers/clients';
import { BASE, LDAP_PASSWORDS, READER_DN, startSlapd, type Slapd } from './auth-peers/slapd';
import { startScripted } from './queue-peers/scripted';

const EHLO = [`250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250-SIZE 26214400', '250 AUTH PLAIN LOGIN'];
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const OK_REPLY = (user: string, mech = 'PLAIN') => `235 ${mech} authentication successful for ${user} - authldap`;
const WRONG = (user: string, mech = 'PLAIN') => `535 ${mech} authentication failed for ${user} from 127.0.0.1 - authldap - wrong username or password`;
/** No entry (or more than one) for the name: the plugin declines, and when no other auth plugin answers, the core's 535 has no text (as qpsmtpd's). */
const NOT_FOUND = (user: string) => `535 PLAIN authentication failed for ${user} from 127.0.0.1`;
const TEMP = (user: string) => `454 PLAIN authentication temporarily failed for ${user} from 127.0.0.1 - authldap - temporary auth error`;

function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

let slapd: Slapd;
/** config/ldap for the private slapd, with more lines. */
let ldapConfig: (...more: string[]) => string[];
t.before(async () => {
  slapd = await startSlapd(t);
  ldapConfig = (...more) => ['# the test directory', 'ldap_host 127.0.0.1', `ldap_port ${slapd.port}`, `ldap_base ${BASE}`, ...more];
});

interface Setup {
  /** The plugin line (default: no arguments). */
  line?: string;
  /** config/ldap (default: the private slapd). */
  ldap?: string[];
}

/** EHLO, AUTH PLAIN with an initial response, QUIT. */
function authPlain(t: Test, user: string, password: string, setup: Setup = {}): Promise<PluginSessionResult> {
  return pluginSession(t, crlf('EHLO x', `AUTH PLAIN ${plain(user, password)}`, 'QUIT'), {
    plugins: [setup.line ?? 'auth/auth_ldap_bind', 'rcpt_ok'],
    config: { ldap: setup.ldap ?? ldapConfig() },
  });
}

t.test('a good password: 235, and the client may relay', async (t) => {
  const r = await pluginSession(
    t,
    crlf('EHLO x', `AUTH PLAIN ${plain('alice', LDAP_PASSWORDS.alice)}`, 'MAIL FROM:<alice@example.com>', 'RCPT TO:<someone@elsewhere.test>', 'QUIT'),
    { plugins: ['auth/auth_ldap_bind', 'rcpt_ok'], config: { ldap: ldapConfig() } },
  );
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('alice'), '250 <alice@example.com>, sender OK - how exciting to get mail from you!', '250 <someone@elsewhere.test>, recipient ok', BYE], r.stderr);
  t.match(r.stderr, `auth::auth_ldap_bind: pass: alice bound as uid=alice,ou=people,${BASE}`);
  t.notMatch(r.stderr, LDAP_PASSWORDS.alice, 'the password is not logged');
});

t.test('AUTH LOGIN', async (t) => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const r = await pluginSession(t, crlf('EHLO x', 'AUTH LOGIN', b64('alice'), b64(LDAP_PASSWORDS.alice), 'QUIT'), {
    plugins: ['auth/auth_ldap_bind'],
    config: { ldap: ldapConfig() },
  });
  t.same(r.lines, [GREETING, ...EHLO, '334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', OK_REPLY('alice', 'LOGIN'), BYE], r.stderr);
});

t.test('a wrong password: 535, the directory refused the bind', async (t) => {
  const r = await authPlain(t, 'alice', 'not-her-password');
  t.same(r.lines, [GREETING, ...EHLO, WRONG('alice'), BYE], r.stderr);
  t.match(r.stderr, `fail: the bind as uid=alice,ou=people,${BASE} for alice was refused: invalidCredentials (49)`);
  t.notMatch(r.stderr, 'not-her-password', 'the password is not logged');
});

t.test('an unknown user: 535, nothing to bind as', async (t) => {
  const r = await authPlain(t, 'nobody', 'whatever');
  t.same(r.lines, [GREETING, ...EHLO, NOT_FOUND('nobody'), BYE], r.stderr);
  t.match(r.stderr, 'fail: user not found: nobody');
});

t.test('the name is lower-cased and its domain dropped, as qpsmtpd does', async (t) => {
  const r = await authPlain(t, 'Alice@Example.COM', LDAP_PASSWORDS.alice);
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('Alice@Example.COM'), BYE], r.stderr);
});

t.test('a password with a quote, backslash, spaces, parentheses, "*" and non-ASCII', async (t) => {
  const r = await authPlain(t, 'bob', LDAP_PASSWORDS.bob);
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('bob'), BYE], r.stderr);
  const w = await authPlain(t, 'bob', LDAP_PASSWORDS.bob.replace('\u00f6', 'o'));
  t.same(w.lines, [GREETING, ...EHLO, WRONG('bob'), BYE], w.stderr);
});

t.test('filter injection: wildcards and parentheses in the name match nothing', async (t) => {
  // Unescaped, "(uid=*)" would match every entry and "(uid=al*)" alice; with alice's password either could log in.
  for (const user of ['*', 'al*', '*)(uid=*', 'alice)(|(uid=*', '*)(|(objectClass=*', 'alice\\2a']) {
    const r = await authPlain(t, user, LDAP_PASSWORDS.alice);
    t.same(r.lines, [GREETING, ...EHLO, NOT_FOUND(user), BYE], `${JSON.stringify(user)}\n${r.stderr}`);
    t.match(r.stderr, 'fail: user not found:', JSON.stringify(user));
  }
  // The same in a filter template of the admin's.
  const template = ['ldap_auth_filter (&(objectClass=inetOrgPerson)(uid=%u))'];
  for (const user of ['*', '*))(|(uid=*']) {
    const r = await authPlain(t, user, LDAP_PASSWORDS.alice, { ldap: ldapConfig(...template) });
    t.same(r.lines, [GREETING, ...EHLO, NOT_FOUND(user), BYE], `${user}\n${r.stderr}`);
  }
});

t.test('a name more than one entry has: 535, and a warning to check the filter', async (t) => {
  const r = await authPlain(t, 'dup', LDAP_PASSWORDS.dup);
  t.same(r.lines, [GREETING, ...EHLO, NOT_FOUND('dup'), BYE], r.stderr);
  t.match(r.stderr, /warn .*fail: 2 entries match dup: the name is ambiguous \(check the filter\)/);
});

t.test('a subtree only a service DN may search: ldap_bind_dn and ldap_bind_password', async (t) => {
  const anonymous = await authPlain(t, 'carol', LDAP_PASSWORDS.carol);
  t.same(anonymous.lines, [GREETING, ...EHLO, NOT_FOUND('carol'), BYE], `anonymous: carol cannot be found\n${anonymous.stderr}`);
  const bound = await authPlain(t, 'carol', LDAP_PASSWORDS.carol, { ldap: ldapConfig(`ldap_bind_dn ${READER_DN}`, `ldap_bind_password ${LDAP_PASSWORDS.reader}`) });
  t.same(bound.lines, [GREETING, ...EHLO, OK_REPLY('carol'), BYE], bound.stderr);
  t.match(bound.stderr, `pass: carol bound as uid=carol,ou=staff,${BASE}`);
  const badService = await authPlain(t, 'carol', LDAP_PASSWORDS.carol, { ldap: ldapConfig(`ldap_bind_dn ${READER_DN}`, 'ldap_bind_password wrong') });
  t.same(badService.lines, [GREETING, ...EHLO, TEMP('carol'), BYE], badService.stderr);
  t.match(badService.stderr, `skip: 127.0.0.1:${slapd.port}: refused at service bind: invalidCredentials (49)`);
  t.notMatch(badService.stderr, LDAP_PASSWORDS.reader, 'the service password is not logged');
});

t.test('ldap_auth_filter: a template with the whole address', async (t) => {
  const ldap = ldapConfig('ldap_auth_filter (&(objectClass=inetOrgPerson)(mail=%a))');
  const r = await authPlain(t, 'alice@example.com', LDAP_PASSWORDS.alice, { ldap });
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('alice@example.com'), BYE], r.stderr);
  const local = await authPlain(t, 'alice', LDAP_PASSWORDS.alice, { ldap });
  t.same(local.lines, [GREETING, ...EHLO, NOT_FOUND('alice'), BYE], local.stderr);
});

t.test('ldap_auth_filter_attr: another attribute to match', async (t) => {
  const r = await authPlain(t, 'alice', LDAP_PASSWORDS.alice, { ldap: ldapConfig('ldap_auth_filter_attr cn') });
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('alice'), BYE], r.stderr);
});

t.test('plugin arguments override config/ldap', async (t) => {
  const r = await authPlain(t, 'alice', LDAP_PASSWORDS.alice, {
    line: `auth/auth_ldap_bind ldap_port ${slapd.port} ldap_base ${BASE}`,
    ldap: ['ldap_port 1', 'ldap_base dc=elsewhere'],
  });
  t.same(r.lines, [GREETING, ...EHLO, OK_REPLY('alice'), BYE], r.stderr);
});

t.test('a base that does not exist: 454, the search failed', async (t) => {
  const r = await authPlain(t, 'alice', LDAP_PASSWORDS.alice, { ldap: ldapConfig('ldap_base dc=nowhere,dc=test') });
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice'), BYE], r.stderr);
  t.match(r.stderr, `skip: 127.0.0.1:${slapd.port}: search failed: noSuchObject (32)`);
});

t.test('the server is down: 454', async (t) => {
  const port = await freePort();
  const r = await authPlain(t, 'alice', 'pw', { ldap: [`ldap_port ${port}`, `ldap_base ${BASE}`] });
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice'), BYE], r.stderr);
  t.match(r.stderr, `skip: 127.0.0.1:${port}: connect: connection refused`);
});

t.test('a server that accepts and never answers: 454 after ldap_timeout', async (t) => {
  const silent = await startScripted(t, undefined, () => undefined);
  const r = await authPlain(t, 'alice', 'pw', { ldap: [`ldap_port ${silent.port}`, `ldap_base ${BASE}`, 'ldap_timeout 1'] });
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice'), BYE], r.stderr);
  t.match(r.stderr, `skip: 127.0.0.1:${silent.port}: timeout at search: no reply within 1 s`);
});

t.test('a server that answers garbage: 454', async (t) => {
  const garbage = await startScripted(t, 'HTTP/1.1 400 Bad Request\r\n\r\n', () => undefined);
  const r = await authPlain(t, 'alice', 'pw', { ldap: [`ldap_port ${garbage.port}`, `ldap_base ${BASE}`] });
  t.same(r.lines, [GREETING, ...EHLO, TEMP('alice'), BYE], r.stderr);
  t.match(r.stderr, `skip: 127.0.0.1:${garbage.port}: protocol at search: not an LDAPMessage (tag 0x48)`);
});

t.test('CRAM-MD5 is not offered (a bind needs the clear password)', async (t) => {
  const r = await pluginSession(t, crlf('EHLO x', 'AUTH CRAM-MD5', 'QUIT'), { plugins: ['auth/auth_ldap_bind'], config: { ldap: ldapConfig() } });
  t.same(r.lines, [GREETING, ...EHLO, '504 Unimplemented authentication mechanism: cram-md5', BYE], r.stderr);
});

t.test('a broken configuration stops the start-up with 421 and says why', async (t) => {
  const cases: [string, string[], string][] = [
    ['auth/auth_ldap_bind', ['ldap_host 127.0.0.1'], 'auth/auth_ldap_bind: ldap_base is not set'],
    ['auth/auth_ldap_bind', [...ldapConfig(), 'ldap_hots x'], 'auth/auth_ldap_bind: unknown setting "ldap_hots" in config/ldap'],
    [`auth/auth_ldap_bind ldap_base ${BASE} ldap_port`, [], 'auth/auth_ldap_bind: arguments come in pairs (key value)'],
    ['auth/auth_ldap_bind ldap_host bad/host', ldapConfig(), 'auth/auth_ldap_bind: bad ldap_host "bad/host"'],
    ['auth/auth_ldap_bind ldap_port 0', ldapConfig(), 'auth/auth_ldap_bind: bad ldap_port "0"'],
    ['auth/auth_ldap_bind ldap_timeout soon', ldapConfig(), 'auth/auth_ldap_bind: ldap_timeout needs a number of seconds greater than 0, not "soon"'],
    ['auth/auth_ldap_bind ldap_auth_filter_attr u(d', ldapConfig(), 'auth/auth_ldap_bind: bad ldap_auth_filter_attr "u(d"'],
    ['auth/auth_ldap_bind', ldapConfig('ldap_auth_filter (&(uid=%u)'), 'auth/auth_ldap_bind: bad ldap_auth_filter "(&(uid=%u)": ")" expected at position 9'],
    ['auth/auth_ldap_bind', ldapConfig('ldap_auth_filter (uid=%x)'), 'auth/auth_ldap_bind: bad ldap_auth_filter "(uid=%x)": unknown placeholder %x'],
    ['auth/auth_ldap_bind', ldapConfig('ldap_bind_password secret'), 'auth/auth_ldap_bind: ldap_bind_password without ldap_bind_dn'],
  ];
  for (const [line, ldap, why] of cases) {
    const r = await pluginSession(t, crlf('EHLO x', 'QUIT'), { plugins: [line], config: { ldap } });
    t.same(r.lines, [UNAVAILABLE], `${line} / ${ldap.join('; ')}`);
    t.match(r.stderr, why, line);
    t.equal(r.code, 1, `${line}: exit status 1`);
  }
});

t.test('swaks --auth PLAIN and LOGIN through tcpserver', async (t) => {
  const port = await startTcpserver(t, { plugins: ['auth/auth_ldap_bind', 'rcpt_ok'], ldap: ldapConfig() });
  const ok = swaksAuth(port, 'PLAIN', 'bob', LDAP_PASSWORDS.bob);
  t.equal(ok.status, 0, ok.output);
  t.same(ok.replies.slice(-2), [OK_REPLY('bob'), BYE], ok.output);
  const login = swaksAuth(port, 'LOGIN', 'alice', LDAP_PASSWORDS.alice);
  t.same(login.replies.slice(-4), ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', OK_REPLY('alice', 'LOGIN'), BYE], login.output);
  const bad = swaksAuth(port, 'PLAIN', 'alice', 'wrong');
  t.not(bad.status, 0, 'swaks fails on 535');
  t.same(bad.replies.slice(-2), [WRONG('alice'), BYE], bad.output);
});

t.test("Python's smtplib login() through tcpserver", async (t) => {
  const port = await startTcpserver(t, { plugins: ['auth/auth_ldap_bind', 'rcpt_ok'], ldap: ldapConfig() });
  const ok = smtplibLogin(port, 'alice', LDAP_PASSWORDS.alice);
  t.equal(ok.status, 0, ok.output);
  t.same(ok.lines, ['EHLO AUTH PLAIN LOGIN', `AUTH ${OK_REPLY('alice')}`], ok.output);
  const bad = smtplibLogin(port, 'alice', 'nope');
  t.equal(bad.status, 1, bad.output);
  // smtplib tries every mechanism offered (PLAIN, then LOGIN) and reports the last refusal.
  t.same(bad.lines, ['EHLO AUTH PLAIN LOGIN', `AUTH ${WRONG('alice', 'LOGIN')}`], bad.output);
});
