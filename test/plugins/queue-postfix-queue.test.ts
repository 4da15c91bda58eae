// queue/postfix-queue through dist/qpsmtpd against Postfix's real cleanup
// service, in a private Postfix instance started here
// (test/fixtures/postfix-instance.ts): its public/cleanup socket, and extra
// cleanup services with header_checks, a size limit and an unreachable
// milter for Postfix's own refusals. What arrived is checked in the queue
// file (postcat, for a message held with FLAG_HOLD) and in the mailbox
// Postfix delivered to. Failures cleanup cannot be made to produce (a
// foreign protocol, no answer, an unknown status) come from small servers
// on a Unix socket written here.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { escapeRegExp, freePort } from '../helpers/e2e';
import { crlf, pluginSession } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { startPostfix, virtualPrefix, type PostfixInstance } from '../fixtures/postfix-instance';
import { checkMessage, ourTrace, type Expected } from '../fixtures/queue-trace';

const LINES = ['Subject: postfix-queue test', 'Message-Id: <pq1@x.test>', '', 'first line', '..a dotted line', '', 'L'.repeat(5000), 'tab\there  ', 'last'];
const SENT = Buffer.concat([Buffer.from(crlf(...LINES)), Buffer.from('8bit \xe9 line\r\n', 'latin1')]);
const STORED = Buffer.concat([
  Buffer.from(LINES.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\n') + '\n'),
  Buffer.from('8bit \xe9 line\n', 'latin1'),
]);

function session(from: string, rcpts: string[], message: Buffer = SENT): Buffer {
  return Buffer.concat([
    Buffer.from(crlf('HELO x', `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA')),
    message,
    Buffer.from(crlf('.', 'QUIT')),
  ]);
}

/** A copy virtual(8) delivered: its Return-Path and Delivered-To, our trace, the message (cleanup adds nothing). */
function checkCopy(t: Test, file: Buffer | undefined, sender: string, recipient: string, message: Expected = STORED, helo = 'x'): void {
  checkMessage(t, recipient, file, `${escapeRegExp(virtualPrefix(sender, recipient))}${ourTrace(helo)}`, message);
}

const QUEUED = /^250 Queued! (<[^>]*>)? ?\(Queue-Id: ([0-9A-F]+)\)$/;

/** A Unix socket server in a temp dir that does `handle` with each connection. */
async function fakeCleanup(t: Test, handle: (socket: Socket) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-fake-cleanup-'));
  const path = join(dir, 'cleanup');
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return path;
}

t.test("against Postfix's cleanup", async (t) => {
  const closedPort = await freePort();
  const postfix: PostfixInstance = await startPostfix(t, {
    master: [
      'cleanup_checks unix n - n - 0 cleanup -o header_checks=regexp:${config_directory}/header_checks',
      'cleanup_small unix n - n - 0 cleanup -o message_size_limit=2000',
      `cleanup_milter unix n - n - 0 cleanup -o non_smtpd_milters=inet:127.0.0.1:${closedPort} -o milter_default_action=tempfail`,
    ],
    files: { header_checks: '/^Subject: reject me/ REJECT 5.7.1 we do not take this\n' },
  });
  const socket = (name = 'cleanup'): string => join(postfix.queueDir, 'public', name);
  const plugins = (args: string): string[] => ['rcpt_ok', `queue/postfix-queue ${args}`];

  t.test('two recipients: queued, then delivered byte for byte', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['a@example.com', 'b@example.com']), { plugins: plugins(socket()) });
    const queued = QUEUED.exec(r.lines[6] ?? '');
    t.ok(queued, r.lines[6]);
    t.equal(queued?.[1], '<pq1@x.test>');
    checkCopy(t, (await postfix.waitForDelivery('a'))[0], 's@x.test', 'a@example.com');
    checkCopy(t, (await postfix.waitForDelivery('b'))[0], 's@x.test', 'b@example.com');
  });

  t.test('FLAG_HOLD: the queue file holds the envelope and exactly the message (postcat)', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['c@example.com', 'd@example.com']), { plugins: plugins(`${socket()} FLAG_HOLD`) });
    const queueId = QUEUED.exec(r.lines[6] ?? '')?.[2] ?? '';
    t.same(postfix.queued('hold'), [queueId], 'in the hold queue');
    const envelope = postfix.postcat(queueId, '-e').toString();
    t.match(envelope, /^sender: s@x\.test$/m);
    t.match(envelope, /^recipient: c@example\.com$/m);
    t.match(envelope, /^recipient: d@example\.com$/m);
    t.match(envelope, /^named_attribute: rewrite_context=remote$/m, 'sent as from a remote client: the header is left alone');
    checkMessage(t, 'the queued content', postfix.postcat(queueId, '-h', '-b'), ourTrace(), STORED);
  });

  t.test('the null sender, and a message without Message-Id', async (t) => {
    const r = await pluginSession(t, session('', ['e@example.com'], Buffer.from(crlf('Subject: bounce', '', 'sorry'))), { plugins: plugins(socket()) });
    t.match(r.lines[5], /^250 Queued! {2}\(Queue-Id: [0-9A-F]+\)$/, 'no id: two spaces, as qpsmtpd writes it');
    checkCopy(t, (await postfix.waitForDelivery('e'))[0], '', 'e@example.com', Buffer.from('Subject: bounce\n\nsorry\n'));
  });

  const rejected = Buffer.from(crlf('Subject: reject me', '', 'body'));

  t.test('FLAG_FILTER turns on header_checks: REJECT comes back as DENY with its text', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['f@example.com'], rejected), { plugins: plugins(`${socket('cleanup_checks')} FLAG_FILTER`) });
    t.equal(r.lines[5], '552 5.7.1 we do not take this');
    const unfiltered = await pluginSession(t, session('s@x.test', ['f@example.com'], rejected), { plugins: plugins(socket('cleanup_checks')) });
    t.match(unfiltered.lines[5], QUEUED, 'without the flag, no checks');
  });

  t.test('a message over message_size_limit: DENY', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['g@example.com']), { plugins: plugins(socket('cleanup_small')) });
    t.equal(r.lines[5], '552 message file too big (#5.3.4)');
  });

  t.test('a milter that cannot be reached (milter_default_action tempfail): DENYSOFT', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['g@example.com']), { plugins: plugins(`${socket('cleanup_milter')} FLAG_MILTER`) });
    t.equal(r.lines[5], '452 4.7.1 Service unavailable - try again later');
  });

  t.test('config cleanup_sockets: tried in order; POSTFIXQUEUE overrides everything', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['h@example.com']), {
      plugins: plugins('/nonexistent/cleanup'),
      config: { cleanup_sockets: ['/nonexistent/other', socket()] },
    });
    t.match(r.lines[5], QUEUED);
    t.match(r.stderr, 'cannot connect to /nonexistent/other: no such file or directory');
    const env = await pluginSession(t, session('s@x.test', ['h@example.com']), {
      plugins: plugins('/nonexistent/cleanup'),
      config: { cleanup_sockets: '/nonexistent/other' },
      env: { POSTFIXQUEUE: socket() },
    });
    t.match(env.lines[5], QUEUED);
  });

  t.test('a 200 MB message is streamed: peak RSS under 100 MB, delivered byte for byte', async (t) => {
    const r = await bigMessageSession(t, {
      plugins: plugins(socket()),
      config: { databytes: '0' },
      sender: 's@x.test',
      recipients: ['big@example.com'],
      megabytes: 200,
    });
    t.match(r.lines[5], QUEUED);
    t.ok(r.peakKb < 100 * 1024, `peak RSS ${Math.round(r.peakKb / 1024)} MB`);
    checkCopy(t, (await postfix.waitForDelivery('big'))[0], 's@x.test', 'big@example.com', r, 'big.test');
  });
});

t.test('failures', async (t) => {
  const MESSAGE = session('s@x.test', ['a@example.com']);
  const HELLO = 'protocol\0cleanup_protocol\0queue_id\0ABC123\0\0';
  const run = (args: string) => pluginSession(t, MESSAGE, { plugins: ['rcpt_ok', `queue/postfix-queue ${args}`] });

  t.test('no cleanup socket there', async (t) => {
    const r = await run('/nonexistent/cleanup');
    t.equal(r.lines[5], '452 Unable to queue message (cannot connect to /nonexistent/cleanup: no such file or directory)');
  });

  t.test('the default socket (no Postfix running here)', async (t) => {
    const r = await pluginSession(t, MESSAGE, { plugins: ['rcpt_ok', 'queue/postfix-queue'] });
    t.match(r.lines[5], /^452 Unable to queue message \(cannot connect to \/var\/spool\/postfix\/public\/cleanup: [a-z ]+\)$/);
  });

  t.test('a socket that speaks another Postfix protocol', async (t) => {
    const path = await fakeCleanup(t, (s) => s.write('protocol\0qmgr_protocol\0\0'));
    const r = await run(path);
    t.equal(r.lines[5], `452 Unable to queue message (protocol error from ${path} at greeting: not a cleanup service (it speaks qmgr_protocol))`);
  });

  t.test('no queue id', async (t) => {
    const path = await fakeCleanup(t, (s) => s.write('\0'));
    const r = await run(path);
    t.equal(r.lines[5], `452 Unable to queue message (protocol error from ${path} at greeting: no queue id)`);
  });

  t.test('no result: timeout', async (t) => {
    const path = await fakeCleanup(t, (s) => {
      s.write(HELLO);
      s.resume();
    });
    const r = await run(`${path} timeout 1`);
    t.equal(r.lines[5], `452 Unable to queue message (${path} timed out at end of message: no reply within 1 s)`);
  });

  t.test('cleanup goes away', async (t) => {
    const path = await fakeCleanup(t, (s) => {
      s.write(HELLO);
      s.once('data', () => s.destroy());
    });
    const r = await run(path);
    t.match(
      r.lines[5],
      new RegExp(`^452 Unable to queue message \\((${escapeRegExp(path)} closed the connection|connection to ${escapeRegExp(path)} failed) at `),
    );
  });

  t.test('a status Postfix does not define', async (t) => {
    const path = await fakeCleanup(t, (s) => {
      s.write(HELLO);
      let seen = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        seen = Buffer.concat([seen, d]);
        // The end record: type E, length 0.
        if (seen.subarray(-2).equals(Buffer.from('E\0'))) s.write('status\x001024\0reason\0odd\r\nthing\0\0');
      });
    });
    const r = await run(path);
    t.equal(r.lines[5], '452 Unable to queue message (cleanup status 1024: odd??thing)');
  });

  t.test('an unknown flag is ignored with a warning', async (t) => {
    const r = await run('/nonexistent/cleanup FLAG_NOPE');
    t.match(r.stderr, 'Ignoring unknown cleanup flag FLAG_NOPE');
  });
});
