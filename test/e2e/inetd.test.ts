// inetd-style start under the real xinetd (Debian package xinetd): the
// client socket on fds 0, 1 (and 2, as xinetd does it) and no TCP*
// variables, so the peer comes from the socket (decision 7), for IPv4 and
// IPv6. xinetd runs as root here (as in CI), in the foreground, with a
// generated config on free loopback ports.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  BINARY,
  ME,
  VERSION,
  type WorkDir,
  checkDelivered,
  cleanEnv,
  crlf,
  freePort,
  makeWorkDir,
  replyLines,
  requireBinary,
  requireProgram,
  waitFor,
} from '../helpers/e2e';

requireBinary();

const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const QUIT = `221 ${ME} closing connection. Have a wonderful day.`;
const ehloReply = (ip: string): string[] => [`250-${ME} Hi [${ip}] [${ip}]`, '250-PIPELINING', '250-8BITMIME', '250 SIZE 26214400'];

interface Service {
  name: string;
  bind: string;
  port: number;
}

interface Xinetd {
  /** Waits until n sessions have ended; returns their exit statuses (xinetd's EXIT lines). */
  ended(n: number): Promise<string[]>;
}

/** xinetd in the foreground with one service per address, all running dist/qpsmtpd; stopped at teardown. */
async function startXinetd(t: Test, work: WorkDir, services: Service[]): Promise<Xinetd> {
  const xinetd = requireProgram('xinetd', 'xinetd');
  if (process.getuid?.() !== 0) throw new Error('this test runs xinetd with "user = root": run it as root (CI does)');
  const serviceLog = join(work.dir, 'xinetd-services.log');
  const daemonLog = join(work.dir, 'xinetd.log');
  const configFile = join(work.dir, 'xinetd.conf');
  const blocks = services.map(
    (s) => `service ${s.name}
{
    type        = UNLISTED
    id          = ${s.name}
    socket_type = stream
    protocol    = tcp
    port        = ${s.port}
    bind        = ${s.bind}
    flags       = REUSE${s.bind.includes(':') ? ' IPv6' : ''}
    wait        = no
    user        = root
    passenv     = PATH
    server      = ${BINARY}
    server_args = ${work.args.join(' ')}
}
`,
  );
  writeFileSync(
    configFile,
    `defaults
{
    log_type       = FILE ${serviceLog}
    log_on_success = PID EXIT
    log_on_failure = HOST
}
${blocks.join('')}`,
  );
  const child: ChildProcess = spawn(xinetd, ['-dontfork', '-filelog', daemonLog, '-f', configFile], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  await waitFor('xinetd to start', () => {
    if (child.exitCode !== null) throw new Error(`xinetd exited with status ${child.exitCode}: ${output}${read(daemonLog)}`);
    return read(daemonLog).includes(`Started working: ${services.length} available service`);
  });
  const exits = (): string[] => [...read(serviceLog).matchAll(/EXIT: \S+ status=(\d+)/g)].map((m) => m[1]!);
  return {
    ended: (n) => waitFor(`${n} session(s) to end; xinetd said:\n${read(serviceLog)}${read(daemonLog)}`, () => exits().length >= n && exits()),
  };
}

/** Connects, sends the whole transcript (PIPELINING), and returns everything the server wrote until it closed. */
async function session(host: string, port: number, transcript: string, localAddress?: string): Promise<string> {
  const socket = connect({ host, port, localAddress });
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  await once(socket, 'connect');
  socket.write(transcript);
  await once(socket, 'close');
  return received;
}

const MESSAGE = 'From: alice@sender.test\nTo: bob@example.com\nSubject: via xinetd\n\n.dot\nbody\n';
const DELIVERY = crlf(
  'EHLO client.test',
  'MAIL FROM:<alice@sender.test>',
  'RCPT TO:<carol@elsewhere.test>',
  'RCPT TO:<bob@example.com>',
  'DATA',
  ...MESSAGE.replace(/^\./gm, '..').split('\n').slice(0, -1),
  '.',
  'QUIT',
);

function deliveryReplies(ip: string, relay: boolean): string[] {
  return [
    GREETING,
    ...ehloReply(ip),
    '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
    relay ? '250 <carol@elsewhere.test>, recipient ok' : '550 Relaying denied (#5.7.1)',
    '250 <bob@example.com>, recipient ok',
    '354 go ahead',
    '250 Queued! ',
    QUIT,
  ];
}

t.test('xinetd on 127.0.0.1 and ::1: the peer comes from the socket', async (t) => {
  const work = makeWorkDir(t, {
    config: { relayclients: '127.0.0.1', plugins: ['relay', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] },
  });
  const v4 = await freePort('127.0.0.1');
  const v6 = await freePort('::1');
  const xinetd = await startXinetd(t, work, [
    { name: 'qpsmtpd-e2e-v4', bind: '127.0.0.1', port: v4 },
    { name: 'qpsmtpd-e2e-v6', bind: '::1', port: v6 },
  ]);

  t.test('IPv4, from 127.0.0.1: EHLO, relaying by relayclients, delivery', async (t) => {
    const replies = await session('127.0.0.1', v4, DELIVERY);
    t.same(replyLines(replies), deliveryReplies('127.0.0.1', true));
    t.ok(replies.endsWith('\r\n'), 'nothing but replies on the socket (no log lines)');
  });

  t.test('IPv4, from 127.0.0.2: another peer address, not in relayclients', async (t) => {
    const replies = await session('127.0.0.1', v4, DELIVERY, '127.0.0.2');
    t.same(replyLines(replies), deliveryReplies('127.0.0.2', false));
  });

  t.test('IPv6, from ::1', async (t) => {
    const replies = await session('::1', v6, DELIVERY);
    t.same(replyLines(replies), deliveryReplies('::1', true));
  });

  t.test('the sessions ended with status 0 and the messages carry the socket peer', async (t) => {
    t.same(await xinetd.ended(3), ['0', '0', '0']);
    const delivered = work.delivered().map((m) => m.toString('latin1'));
    t.equal(delivered.length, 3);
    const byPeer = (ip: string): Buffer | undefined => {
      const found = delivered.find((m) => m.includes(`(HELO client.test) (${ip})\n`));
      return found === undefined ? undefined : Buffer.from(found, 'latin1');
    };
    const facts = (ip: string, recipients: string[]) => ({
      sender: '<alice@sender.test>',
      deliveredTo: recipients,
      remoteInfo: `[${ip}]`,
      remoteIp: ip,
      helo: 'client.test',
      protocol: 'ESMTP',
    });
    // queue/maildir adds Delivered-To lines on top, one per recipient: the last recipient first.
    checkDelivered(t, byPeer('127.0.0.1'), facts('127.0.0.1', ['bob@example.com', 'carol@elsewhere.test']), MESSAGE, 'from 127.0.0.1');
    checkDelivered(t, byPeer('127.0.0.2'), facts('127.0.0.2', ['bob@example.com']), MESSAGE, 'from 127.0.0.2');
    checkDelivered(t, byPeer('::1'), facts('::1', ['bob@example.com', 'carol@elsewhere.test']), MESSAGE, 'from ::1');
    t.same(work.list('maildir/tmp'), []);
    t.same(work.list('spool'), []);
  });
  t.end();
});
