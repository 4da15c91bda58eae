// auth/authdeny through dist/qpsmtpd: every AUTH fails, with every
// mechanism (it registers the generic auth hook, so EHLO offers all three),
// with its text "<user> is not free to abuse my relay" and a LOGWARN line,
// as Debian's qpsmtpd 0.94 answers; relaying stays refused; an auth plugin
// before it that accepts is not overruled. The client is swaks as well as
// raw transcripts.

import t, { type Test } from 'tap';
import { makeWorkDir } from '../helpers/e2e';
import { BinaryClient, BYE, crlf, GREETING, ME, pluginSession, SENDER_OK } from '../helpers/plugin-session';
import { b64, cramAnswer, plain, startTcpserver, swaks, swaksReplies } from './auth-local-peers/clients';

const EHLO = [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250-8BITMIME', '250-SIZE 26214400', '250 AUTH PLAIN LOGIN CRAM-MD5'];
const OUTSIDE = 'someone@elsewhere.test';
const denied = (mech: string, user: string): string =>
  `535 ${mech} authentication failed for ${user} from 127.0.0.1 - ${user} is not free to abuse my relay`;

t.test('PLAIN and LOGIN: 535 with its text, logged at LOGWARN; relaying stays refused', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'EHLO client.test',
      `AUTH PLAIN ${plain('alice@example.com', 'any')}`,
      'AUTH LOGIN',
      b64('bob'),
      b64('any'),
      'MAIL FROM:<s@client.test>',
      `RCPT TO:<${OUTSIDE}>`,
      'QUIT',
    ),
    { plugins: ['auth/authdeny', 'rcpt_ok'], config: { loglevel: '4' } },
  );
  t.same(r.lines, [
    GREETING,
    ...EHLO,
    denied('PLAIN', 'alice@example.com'),
    '334 VXNlcm5hbWU6',
    '334 UGFzc3dvcmQ6',
    denied('LOGIN', 'bob'),
    SENDER_OK('<s@client.test>'),
    '550 Relaying denied (#5.7.1)',
    BYE,
  ]);
  t.equal(r.stderr.match(/warn \(auth\) auth::authdeny: fail: cannot authenticate/g)?.length, 2, `logged at the default level\n${r.stderr}`);
});

async function cram(t: Test, plugins: string[], user: string, password: string): Promise<string[]> {
  const client = new BinaryClient(t, { plugins, config: { flat_auth_pw: 'good@example.com:secret' } });
  t.same(await client.reply(), [GREETING]);
  t.same(await client.command('EHLO client.test'), EHLO);
  const [challenge = ''] = await client.command('AUTH CRAM-MD5');
  const reply = await client.command(cramAnswer(challenge, user, password));
  t.same(await client.command('QUIT'), [BYE]);
  return reply;
}

t.test('CRAM-MD5: 535 with its text', async (t) => {
  t.same(await cram(t, ['auth/authdeny'], 'carol@example.com', 'any'), [denied('CRAM-MD5', 'carol@example.com')]);
});

t.test('after auth_flat_file: a known user with the right password is accepted, everybody else gets its text', async (t) => {
  const plugins = ['auth/auth_flat_file', 'auth/authdeny'];
  t.same(await cram(t, plugins, 'good@example.com', 'secret'), ['235 CRAM-MD5 authentication successful for good@example.com - auth_flat_file']);
  t.same(await cram(t, plugins, 'stranger@example.com', 'secret'), [denied('CRAM-MD5', 'stranger@example.com')]);
});

t.test('swaks --auth PLAIN, LOGIN, CRAM-MD5 under tcpserver: 535 each time, nothing delivered', async (t) => {
  for (const mech of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    const work = makeWorkDir(t, { config: { plugins: ['auth/authdeny', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
    const server = await startTcpserver(t, work);
    const r = swaks([
      '--server', `127.0.0.1:${server.port}`,
      '--helo', 'client.test',
      '--from', 's@client.test',
      '--to', OUTSIDE,
      '--auth', mech,
      '--auth-user', 'dave@example.com',
      '--auth-password', 'any',
    ]);
    t.not(r.status, 0, `${mech}: swaks reports the failure`);
    t.equal(swaksReplies(r.stdout).find((l) => /^(235|535) /.test(l)), denied(mech, 'dave@example.com'), mech);
    t.same(await server.ended(1), ['0']);
    t.same(work.delivered(), []);
  }
});
