// tls: STARTTLS and SMTPS on the socket tcpserver hands over, through the
// built binary under the real tcpserver (ucspi-tcp), with real clients:
// openssl s_client -starttls smtp, swaks --tls and --tls-on-connect,
// Python's smtplib starttls(), and a raw socket client for the exact
// replies and the command-injection case. Pipes (no socket) answer 454.
// The certificates are made for each run by openssl (tls-peers/certs.ts).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DATE_PATTERN, type WorkDir, cleanEnv, escapeRegExp, freePort, makeWorkDir, requireProgram, runBinary, runProgram } from '../helpers/e2e';
import { BYE, GO_AHEAD, GREETING, HI, ME, RCPT_OK, SENDER_OK, VERSION, crlf, pluginSession } from '../helpers/plugin-session';
import { type TestCerts, installDefaultFiles, makeCerts } from './tls-peers/certs';
import { startTcpserver } from '../helpers/tcpserver';
import { RawClient } from './tls-peers/raw-client';

const PEERS = join(__dirname, 'tls-peers');
const certs: TestCerts = makeCerts(t);

/** The EHLO reply lines (the project's config/databytes gives SIZE). */
const EHLO = [`250-${HI}`, '250-PIPELINING', '250-8BITMIME'];
const EHLO_PLAIN = [...EHLO, '250-SIZE 26214400', '250 STARTTLS'];
const EHLO_TLS = [...EHLO, '250 SIZE 26214400'];
const TLS_GO = '220 Go ahead with TLS';
/** What OpenSSL (client and server) agree on for TLS 1.3 here. */
const CIPHER = 'TLS_AES_256_GCM_SHA384';
const STARTUP_421 = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

interface TlsWorkOptions {
  /** The tls plugin's config/plugins line (default "tls"). */
  line?: string;
  plugins?: string[];
  config?: Record<string, string | string[]>;
  /** Put the certificate, key and CA in <config>/ssl/ (default true). */
  defaultFiles?: boolean;
}

/** A work dir with the tls line first, then rcpt_ok and queue/maildir. */
function tlsWork(t: Test, options: TlsWorkOptions = {}): WorkDir {
  const plugins = [options.line ?? 'tls', ...(options.plugins ?? []), 'rcpt_ok', 'queue/maildir @WORK@/maildir'];
  const work = makeWorkDir(t, { config: { plugins, ...options.config } });
  if (options.defaultFiles ?? true) installDefaultFiles(work.configDir, certs);
  return work;
}

/** The server's replies in a swaks transcript ("<-", "<~" and "<**" lines). */
function swaksReplies(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^<(-|~|\*\*) {1,2}/.test(l))
    .map((l) => l.replace(/^<(-|~|\*\*) {1,2}/, ''));
}

/** The lines our server puts in front of a message received over TLS, then the message itself. */
function deliveredOverTls(helo: string, proto: string, message: string, sender = '<alice@sender.test>'): RegExp {
  const head =
    `Return-Path: ${sender}\n` +
    'Delivered-To: bob@example.com\n' +
    `Authentication-Results: ${ME}; auth=none\n` +
    `Received: from [127.0.0.1] (HELO ${helo}) (127.0.0.1)\n` +
    ` by ${ME} (qpsmtpd-ts/${VERSION}) with ${proto} (${CIPHER} encrypted); `;
  return new RegExp(`^${escapeRegExp(head)}${DATE_PATTERN}\\n${escapeRegExp(message)}$`);
}

const MESSAGE = 'From: Alice <alice@sender.test>\nTo: Bob <bob@example.com>\nSubject: over TLS\nMessage-ID: <tls.1@sender.test>\n\nHello Bob,\n.a dotted line\n';

t.test('openssl s_client -starttls smtp: our certificate, then EHLO again without STARTTLS', async (t) => {
  const openssl = requireProgram('openssl', 'openssl');
  const work = tlsWork(t);
  const server = await startTcpserver(t, work);
  const r = runProgram(
    openssl,
    ['s_client', '-connect', `127.0.0.1:${server.port}`, '-starttls', 'smtp', '-name', 'client.test', '-CAfile', certs.ca, '-verify_return_error', '-brief', '-ign_eof'],
    { input: crlf('EHLO after.test', 'QUIT'), env: process.env },
  );
  t.equal(r.status, 0, `s_client exit status 0\n${r.stderr}`);
  t.match(r.stderr, /^Protocol version: TLSv1\.3$/m);
  t.match(r.stderr, new RegExp(`^Ciphersuite: ${CIPHER}$`, 'm'));
  t.match(r.stderr, new RegExp(`^Peer certificate: CN = ${escapeRegExp(ME)}$`, 'm'), 'the certificate we configured');
  t.match(r.stderr, /^Verification: OK$/m, 'signed by the test CA');
  t.notMatch(r.stderr, /Didn't find STARTTLS/, 'the plaintext EHLO offered STARTTLS');
  t.same(r.stdout.split('\r\n'), [...EHLO_TLS, BYE, ''], 'the encrypted EHLO does not offer STARTTLS again');
  t.same(await server.ended(1), ['0']);
  t.match(server.log(), new RegExp(`tls: pass, TLSv1\\.3 ${CIPHER}$`, 'm'), 'logged at LOGINFO');
});

t.test('swaks --tls: a message delivered over STARTTLS, Received says ESMTPS and the cipher', async (t) => {
  const swaks = requireProgram('swaks', 'swaks');
  const work = tlsWork(t);
  const server = await startTcpserver(t, work);
  const file = join(work.dir, 'message.txt');
  writeFileSync(file, MESSAGE.slice(0, -1));
  const r = runProgram(swaks, [
    '--server', `127.0.0.1:${server.port}`,
    '--tls', '--tls-verify', '--tls-ca-path', certs.ca,
    '--helo', 'client.test',
    '--from', 'alice@sender.test',
    '--to', 'bob@example.com',
    '--data', `@${file}`,
  ], { env: process.env });
  t.equal(r.status, 0, `swaks exit status 0\n${r.stdout}${r.stderr}`);
  t.match(r.stdout, new RegExp(`^=== TLS started with cipher TLSv1\\.3:${CIPHER}:256$`, 'm'));
  t.same(swaksReplies(r.stdout), [
    GREETING,
    ...EHLO_PLAIN,
    TLS_GO,
    ...EHLO_TLS,
    SENDER_OK('<alice@sender.test>'),
    RCPT_OK('<bob@example.com>'),
    GO_AHEAD,
    '250 Queued! <tls.1@sender.test>',
    BYE,
  ]);
  t.same(await server.ended(1), ['0']);
  const delivered = work.delivered();
  t.equal(delivered.length, 1);
  t.match(delivered[0]?.toString('latin1'), deliveredOverTls('client.test', 'ESMTPS', MESSAGE));
});

t.test("Python's smtplib starttls(): verified certificate, message delivered", async (t) => {
  const python = requireProgram('python3', 'python3');
  const work = tlsWork(t);
  const server = await startTcpserver(t, work);
  const file = join(work.dir, 'message.eml');
  writeFileSync(file, MESSAGE.replace(/\n/g, '\r\n'));
  const r = runProgram(python, [join(PEERS, 'smtplib_starttls.py'), '127.0.0.1', String(server.port), certs.ca, 'alice@sender.test', 'bob@example.com', file], { env: process.env });
  t.equal(r.status, 0, `smtplib_starttls.py exit status 0\n${r.stderr}`);
  t.equal(
    r.stdout,
    [
      `EHLO 250 ${HI}|PIPELINING|8BITMIME|SIZE 26214400|STARTTLS`,
      'STARTTLS 220 Go ahead with TLS',
      `TLS TLSv1.3 ${CIPHER}`,
      `EHLO 250 ${HI}|PIPELINING|8BITMIME|SIZE 26214400`,
      'MAIL 250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
      'RCPT 250 <bob@example.com>, recipient ok',
      'DATA 250 Queued! <tls.1@sender.test>',
      `QUIT ${BYE}`,
      '',
    ].join('\n'),
  );
  t.same(await server.ended(1), ['0']);
  t.match(work.delivered()[0]?.toString('latin1'), deliveredOverTls('py.test', 'ESMTPS', MESSAGE));
});

t.test('commands sent with STARTTLS in one write are thrown away, never run', async (t) => {
  const work = tlsWork(t);
  const server = await startTcpserver(t, work);
  const c = await RawClient.connect(t, server.port);
  t.same(await c.reply(), [GREETING]);
  t.same(await c.command('EHLO client.test'), EHLO_PLAIN);
  // One write: an attacker in the middle appends a plaintext MAIL to the client's STARTTLS.
  c.write('STARTTLS\r\nMAIL FROM:<x@y>\r\n');
  t.same(await c.reply(), [TLS_GO]);
  t.equal(c.unread, '', 'nothing after the 220 in plaintext');
  const tls = await c.startTls(certs.ca);
  t.same(tls, { protocol: 'TLSv1.3', cipher: CIPHER });
  // Had the MAIL run, its 250 would come first; instead a new EHLO is needed.
  t.same(await c.command('MAIL FROM:<a@b.test>'), ['503 please say hello first ...'], 'the SMTP state was reset (RFC 3207)');
  t.same(await c.command('EHLO again.test'), EHLO_TLS);
  t.same(await c.command('MAIL FROM:<a@b.test>'), [SENDER_OK('<a@b.test>')]);
  t.same(await c.command('QUIT'), [BYE]);
  await c.waitClosed();
  t.same(await server.ended(1), ['0']);
  t.match(server.log(), /^\d+ warn STARTTLS: discarded 17 bytes sent before the TLS handshake$/m, 'the discarded bytes are logged');
  t.notMatch(server.log(), /dispatching MAIL FROM:<x@y>/, 'the injected MAIL never reached the dispatcher');
});

t.test('STARTTLS replies on a socket, as qpsmtpd', async (t) => {
  const work = tlsWork(t, { config: { relayclients: '127.0.0.1' }, plugins: ['relay'] });
  const server = await startTcpserver(t, work);
  const c = await RawClient.connect(t, server.port);
  await c.reply();
  t.same(await c.command('STARTTLS'), ['500 Unrecognized command'], 'before EHLO STARTTLS was not offered');
  t.same(await c.command('HELO client.test'), [`250 ${HI}; I am so happy to meet you.`]);
  t.same(await c.command('STARTTLS'), ['500 Unrecognized command'], 'nor after HELO');
  t.same(await c.command('RSET'), ['250 OK']);
  await c.command('QUIT');
  const d = await RawClient.connect(t, server.port);
  await d.reply();
  t.same(await d.command('EHLO client.test'), EHLO_PLAIN);
  t.same(await d.command('STARTTLS now'), ['500 Syntax error (no parameters allowed)'], 'no parameters');
  t.same(await d.command('MAIL FROM:<a@b.test>'), [SENDER_OK('<a@b.test>')]);
  t.same(await d.command('RSET'), ['250 OK']);
  t.same(await d.command('STARTTLS'), [TLS_GO], 'offered for the whole connection, also after a transaction');
  await d.startTls(certs.ca);
  t.same(await d.command('EHLO client.test'), EHLO_TLS);
  t.same(await d.command('STARTTLS'), ['500 Unrecognized command'], 'a second STARTTLS');
  t.same(await d.command('RCPT TO:<bob@example.com>'), ['503 Use MAIL before RCPT'], 'the transaction was reset');
  t.same(await d.command('MAIL FROM:<a@b.test>'), [SENDER_OK('<a@b.test>')]);
  t.same(await d.command('RCPT TO:<x@elsewhere.test>'), [RCPT_OK('<x@elsewhere.test>')], 'relay_client survives STARTTLS');
  await d.command('QUIT');
  await d.waitClosed();
  t.same(await server.ended(2), ['0', '0']);
});

t.test('a failed STARTTLS handshake ends the session without a plaintext reply', async (t) => {
  t.test('the client answers 220 with plaintext', async (t) => {
    const work = tlsWork(t);
    const server = await startTcpserver(t, work);
    const c = await RawClient.connect(t, server.port);
    await c.reply();
    await c.command('EHLO client.test');
    t.same(await c.command('STARTTLS'), [TLS_GO]);
    c.write('EHLO still.plain\r\n');
    await c.waitClosed();
    t.notMatch(c.unread, /\d{3}[ -]/, 'no SMTP reply in the clear (at most a TLS alert)');
    t.same(await server.ended(1), ['0']);
    t.match(server.log(), /^\d+ warn \(unrecognized_command\) tls: fail, TLS handshake: .+$/m);
    t.notMatch(server.log(), /dispatching EHLO still\.plain/);
  });
  t.test('by default (TLS 1.2 and up), a client that can only do TLS 1.1', async (t) => {
    const openssl = requireProgram('openssl', 'openssl');
    const work = tlsWork(t);
    const server = await startTcpserver(t, work);
    const r = runProgram(openssl, ['s_client', '-connect', `127.0.0.1:${server.port}`, '-starttls', 'smtp', '-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0', '-brief'], { input: '' });
    t.not(r.status, 0, 'the handshake fails');
    t.same(await server.ended(1), ['0']);
    t.match(server.log(), /^\d+ warn \(unrecognized_command\) tls: fail, TLS handshake: unsupported protocol$/m);
  });
  t.test('TLS 1.3 only (tls_protocols TLSv1_3), a client that can only do TLS 1.2', async (t) => {
    const openssl = requireProgram('openssl', 'openssl');
    const work = tlsWork(t, { config: { tls_protocols: 'TLSv1_3' } });
    const server = await startTcpserver(t, work);
    const r = runProgram(openssl, ['s_client', '-connect', `127.0.0.1:${server.port}`, '-starttls', 'smtp', '-tls1_2', '-brief'], { input: '' });
    t.not(r.status, 0, 'the handshake fails');
    t.same(await server.ended(1), ['0']);
    t.match(server.log(), /^\d+ warn \(unrecognized_command\) tls: fail, TLS handshake: unsupported protocol$/m);
  });
  t.test('no handshake within handshake_timeout', async (t) => {
    const work = tlsWork(t, { line: 'tls handshake_timeout 1' });
    const server = await startTcpserver(t, work);
    const c = await RawClient.connect(t, server.port);
    await c.reply();
    await c.command('EHLO client.test');
    t.same(await c.command('STARTTLS'), [TLS_GO]);
    await c.waitClosed();
    t.equal(c.unread, '', 'nothing more was sent');
    t.same(await server.ended(1), ['0']);
    t.match(server.log(), /^\d+ warn \(unrecognized_command\) tls: fail, TLS handshake: no handshake within 1 s$/m);
    t.match(server.log(), /^\d+ info click, disconnecting$/m, 'the disconnect hooks ran');
  });
  t.end();
});

t.test('tls_protocols TLSv1_2: a TLS 1.2 session, the cipher in OpenSSL style', async (t) => {
  const swaks = requireProgram('swaks', 'swaks');
  const work = tlsWork(t, { config: { tls_protocols: 'SSLv23:!SSLv2:!SSLv3:!TLSv1_3' } });
  const server = await startTcpserver(t, work);
  const r = runProgram(swaks, ['--server', `127.0.0.1:${server.port}`, '--tls', '--helo', 'client.test', '--from', 'alice@sender.test', '--to', 'bob@example.com'], { env: process.env });
  t.equal(r.status, 0, `swaks exit status 0\n${r.stdout}`);
  const started = /^=== TLS started with cipher TLSv1\.2:([A-Z0-9-]+):256$/m.exec(r.stdout);
  t.ok(started, 'TLS 1.2');
  t.same(await server.ended(1), ['0']);
  t.match(work.delivered()[0]?.toString('latin1'), new RegExp(` with ESMTPS \\(${started?.[1]} encrypted\\); ${DATE_PATTERN}\\n`), 'the OpenSSL name in Received');
  t.equal(started?.[1], 'ECDHE-ECDSA-AES256-GCM-SHA384');
});

t.test('SMTPS: swaks --tls-on-connect on the smtps_port, TLS before the greeting', async (t) => {
  const swaks = requireProgram('swaks', 'swaks');
  const port = await freePort();
  const work = tlsWork(t, { line: `tls smtps_port ${port}` });
  const server = await startTcpserver(t, work, { port });
  const file = join(work.dir, 'message.txt');
  writeFileSync(file, MESSAGE.slice(0, -1));
  const r = runProgram(swaks, [
    '--server', `127.0.0.1:${port}`, '--tls-on-connect', '--tls-verify', '--tls-ca-path', certs.ca,
    '--helo', 'client.test', '--from', 'alice@sender.test', '--to', 'bob@example.com', '--data', `@${file}`,
  ], { env: process.env });
  t.equal(r.status, 0, `swaks exit status 0\n${r.stdout}${r.stderr}`);
  t.match(r.stdout, new RegExp(`^=== TLS started with cipher TLSv1\\.3:${CIPHER}:256$`, 'm'));
  t.same(swaksReplies(r.stdout), [
    GREETING,
    ...EHLO_TLS,
    SENDER_OK('<alice@sender.test>'),
    RCPT_OK('<bob@example.com>'),
    GO_AHEAD,
    '250 Queued! <tls.1@sender.test>',
    BYE,
  ], 'all encrypted, STARTTLS not offered');
  t.same(await server.ended(1), ['0']);
  t.match(work.delivered()[0]?.toString('latin1'), deliveredOverTls('client.test', 'ESMTPS', MESSAGE));
  t.match(server.log(), new RegExp(`\\(connect\\) tls: pass, connect via SMTPS, TLSv1\\.3 ${CIPHER}$`, 'm'));
});

t.test('SMTPS: a plaintext client gets no reply, and the session ends', async (t) => {
  const port = await freePort();
  const work = tlsWork(t, { line: `tls smtps_port ${port}` });
  const server = await startTcpserver(t, work, { port });
  const c = await RawClient.connect(t, port);
  c.write('EHLO plain.client\r\n');
  await c.waitClosed();
  t.notMatch(c.unread, /\d{3}[ -]/, 'no greeting or reply in the clear');
  t.same(await server.ended(1), ['0']);
  t.match(server.log(), /^\d+ warn \(connect\) tls: fail, unable to establish SSL: .+$/m);
  t.notMatch(server.log(), /dispatching/, 'no command was read');
});

t.test('tls_before_auth: AUTH hidden until TLS, then offered; ESMTPSA', async (t) => {
  const work = tlsWork(t, { plugins: ['auth_ok'], config: { tls_before_auth: '1', plugin_dirs: join(PEERS, 'plugins') } });
  const server = await startTcpserver(t, work);
  const c = await RawClient.connect(t, server.port);
  await c.reply();
  t.same(await c.command('EHLO client.test'), EHLO_PLAIN, 'no AUTH before TLS');
  const credentials = Buffer.from('\0good@example.com\0secret').toString('base64');
  t.same(await c.command(`AUTH PLAIN ${credentials}`), ['503 SSL/TLS required before AUTH'], 'AUTH was not advertised');
  t.same(await c.command('STARTTLS'), [TLS_GO]);
  await c.startTls(certs.ca);
  t.same(await c.command('EHLO client.test'), [...EHLO, '250-SIZE 26214400', '250 AUTH PLAIN'], 'AUTH offered over TLS');
  t.same(await c.command(`AUTH PLAIN ${credentials}`), ['235 PLAIN authentication successful for good@example.com - auth_ok']);
  t.same(await c.command('MAIL FROM:<alice@sender.test>'), [SENDER_OK('<alice@sender.test>')]);
  t.same(await c.command('RCPT TO:<bob@example.com>'), [RCPT_OK('<bob@example.com>')]);
  t.same(await c.command('DATA'), [GO_AHEAD]);
  t.same(await c.command(`${MESSAGE.replace(/\n/g, '\r\n').replace(/^\./m, '..')}.`), ['250 Queued! <tls.1@sender.test>']);
  await c.command('QUIT');
  t.same(await server.ended(1), ['0']);
  const delivered = work.delivered()[0]?.toString('latin1') ?? '';
  t.match(delivered, new RegExp(`^Authentication-Results: ${escapeRegExp(ME)}; auth=pass \\(plain\\) smtp\\.auth=good@example\\.com$`, 'm'));
  t.match(delivered, new RegExp(` with ESMTPSA \\(${CIPHER} encrypted\\); ${DATE_PATTERN}\\n`));
});

t.test('without tls_before_auth, AUTH is offered before TLS too; after STARTTLS it waits for EHLO', async (t) => {
  const work = tlsWork(t, { plugins: ['auth_ok'], config: { plugin_dirs: join(PEERS, 'plugins') } });
  const server = await startTcpserver(t, work);
  const c = await RawClient.connect(t, server.port);
  await c.reply();
  t.same(await c.command('EHLO client.test'), [...EHLO, '250-SIZE 26214400', '250-STARTTLS', '250 AUTH PLAIN']);
  t.same(await c.command('STARTTLS'), [TLS_GO]);
  await c.startTls(certs.ca);
  const credentials = Buffer.from('\0good@example.com\0secret').toString('base64');
  t.same(await c.command(`AUTH PLAIN ${credentials}`), ['500 Unrecognized command'], 'what the plaintext EHLO offered is forgotten');
  t.same(await c.command('EHLO client.test'), [...EHLO, '250-SIZE 26214400', '250 AUTH PLAIN']);
  t.same(await c.command(`AUTH PLAIN ${credentials}`), ['235 PLAIN authentication successful for good@example.com - auth_ok']);
  await c.command('QUIT');
  t.same(await server.ended(1), ['0']);
});

t.test('on a pipe: STARTTLS not offered, and answered 454', async (t) => {
  const input = crlf('EHLO client.test', 'STARTTLS', 'STARTTLS now', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['tls'], config: { tls_cert: certs.cert, tls_key: certs.key } });
  t.same(r.lines, [GREETING, ...EHLO_TLS, '454 TLS not available', '454 TLS not available', BYE]);
  t.equal(r.code, 0);
  const without = await pluginSession(t, crlf('EHLO client.test', 'STARTTLS', 'QUIT'), { plugins: [] });
  t.same(without.lines, [GREETING, ...EHLO_TLS, '500 Unrecognized command', BYE], 'without the plugin: unknown, as in qpsmtpd');
});

t.test('on a pipe with TCPLOCALPORT 465: SMTPS is impossible, 550 and close', async (t) => {
  const r = await pluginSession(t, crlf('EHLO client.test', 'QUIT'), {
    plugins: ['tls'],
    config: { tls_cert: certs.cert, tls_key: certs.key },
    env: { TCPLOCALPORT: '465' },
  });
  t.same(r.lines, ['550 Cannot establish SSL session']);
  t.equal(r.code, 0);
  t.match(r.stderr, /^\d+ warn \(connect\) tls: fail, SMTPS port but not a socket \(a pipe or file cannot do TLS\)$/m);
});

t.test('files from arguments and from tls_cert/tls_key/tls_ca; the CA file is optional', async (t) => {
  const cases: [string, TlsWorkOptions][] = [
    ['arguments', { line: `tls ${certs.cert} ${certs.key} ${certs.ca}`, defaultFiles: false }],
    ['config files', { config: { tls_cert: certs.cert, tls_key: certs.key, tls_ca: certs.ca }, defaultFiles: false }],
    ['no CA file', { config: { tls_cert: certs.cert, tls_key: certs.key }, defaultFiles: false }],
    ['DH parameters', { line: `tls ${certs.cert} ${certs.key} ${certs.ca} ${certs.dhparam}`, defaultFiles: false }],
  ];
  for (const [what, options] of cases) {
    const work = tlsWork(t, options);
    const run = await runBinary({ args: ['--check', ...work.args] });
    t.equal(run.code, 0, `${what}: --check passes\n${run.stderr}`);
    t.match(run.stdout.toString(), /^ {2}tls.*: connect, ehlo, unrecognized_command$/m, `${what}: the hooks`);
  }
});

t.test('a missing or broken certificate stops the start-up: 421 and a log line', async (t) => {
  const cases: [string, TlsWorkOptions, string][] = [
    // Looked for like a config file: found in no config directory, the last one ($QMAIL/control) is named.
    ['no certificate at the default path', { defaultFiles: false }, 'tls: cannot read the certificate /var/qmail/control/ssl/qpsmtpd-server.crt: ENOENT'],
    ['a named certificate that is missing', { line: `tls ${certs.dir}/missing.crt ${certs.key}`, defaultFiles: false }, `tls: cannot read the certificate ${certs.dir}/missing.crt: ENOENT`],
    ['a named CA file that is missing', { config: { tls_ca: `${certs.dir}/missing-ca.crt` } }, `tls: cannot read the CA file ${certs.dir}/missing-ca.crt: ENOENT`],
    ['a certificate that is not one', { config: { tls_cert: certs.garbage, tls_key: certs.key }, defaultFiles: false }, 'tls: cannot use the certificate and key: no start line'],
    ['a key of another certificate', { config: { tls_cert: certs.cert, tls_key: certs.otherKey }, defaultFiles: false }, `tls: the private key does not belong to the certificate (CN=${ME})`],
    ['DH parameters that are not', { line: `tls ${certs.cert} ${certs.key} ${certs.ca} ${certs.garbage}` }, `tls: the DH parameter file ${certs.garbage} holds no PEM DH PARAMETERS`],
    ['a named DH file that is missing', { line: `tls ${certs.cert} ${certs.key} ${certs.ca} ${certs.dir}/dh.pem` }, `tls: cannot read the DH parameter file ${certs.dir}/dh.pem: ENOENT`],
    ['an unknown protocol', { config: { tls_protocols: 'TLSv2' } }, 'tls: unknown protocol "TLSv2" in tls_protocols'],
    ['no protocol left', { config: { tls_protocols: 'SSLv3' } }, 'tls: tls_protocols "SSLv3" leaves no TLS version'],
    ['a gap in the versions', { config: { tls_protocols: 'TLSv1 TLSv1_3' } }, 'tls: tls_protocols "TLSv1 TLSv1_3" is not one range of versions'],
    ['a bad cipher list', { config: { tls_ciphers: 'NO-SUCH-CIPHER' } }, 'tls: cannot use the certificate and key: no cipher match'],
    ['a bad smtps_port', { line: 'tls smtps_port https' }, 'tls: smtps_port needs a port number (0: never), not https'],
    ['too many arguments', { line: 'tls a b c d e' }, 'tls: too many arguments: e (cert key ca dhparam expected)'],
  ];
  for (const [what, options, message] of cases) {
    const work = tlsWork(t, options);
    const r = await runBinary({ args: work.args, input: crlf('EHLO client.test', 'QUIT'), env: cleanEnv({ TCPREMOTEIP: '127.0.0.1' }) });
    t.same(r.stdout.toString().split('\r\n'), [STARTUP_421, ''], `${what}: 421`);
    t.equal(r.code, 1, `${what}: exit status 1`);
    t.match(r.stderr, `crit start-up failed: plugin tls (bundled) failed to load: ${message}\n`, `${what}: says why`);
  }
});
