// queue/qmqp-forward through dist/qpsmtpd against Postfix's real qmqpd, in a
// private Postfix instance started here (test/fixtures/postfix-instance.ts)
// with qmqpd on loopback ports: the message must arrive in the recipients'
// mailboxes byte for byte, with the envelope sent. Postfix's own answers
// give the D and Z cases (an unauthorized client; header_checks REJECT, and
// the same with soft_bounce). Failures Postfix cannot be made to produce
// (no answer, garbage, a server that stops reading) come from small servers
// written here.

import { createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp, freePort } from '../helpers/e2e';
import { crlf, GO_AHEAD, HELO_OK, pluginSession, RCPT_OK, SENDER_OK } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { startPostfix, virtualPrefix, type PostfixInstance } from '../fixtures/postfix-instance';
import { checkMessage, ourTrace, type Expected } from '../fixtures/queue-trace';

const LONG = 'L'.repeat(5000);
/** The message as the client sends it (CRLF, dot-stuffed) and as it must arrive (LF, unstuffed). */
// From and Date are there because Postfix adds them to QMQP mail that lacks them.
const LINES = ['Subject: qmqp test', 'From: <s@x.test>', 'Date: Sat, 21 Nov 2026 12:00:00 +0000', 'Message-Id: <qmqp1@x.test>', '', 'first line', '..a dotted line', '', LONG, 'tab\there  ', 'last'];
const SENT = Buffer.concat([Buffer.from(crlf(...LINES)), Buffer.from('8bit \xe9\xe8 line\r\n', 'latin1')]);
const STORED = Buffer.concat([
  Buffer.from(LINES.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\n') + '\n'),
  Buffer.from('8bit \xe9\xe8 line\n', 'latin1'),
]);

function session(from: string, rcpts: string[], message: Buffer = SENT): Buffer {
  return Buffer.concat([
    Buffer.from(crlf('HELO x', `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA')),
    message,
    Buffer.from(crlf('.', 'QUIT')),
  ]);
}

/** qmqpd's Received header: with one recipient it names it, with more it does not. */
function qmqpdReceived(queueId: string, single?: string): string {
  const date = `${DATE_PATTERN} \\(UTC\\)`;
  const head = escapeRegExp('Received: from localhost (localhost [127.0.0.1])\n\tby postfix.test (Postfix) with QMQP');
  return single === undefined
    ? `${head}\\n\\tid ${queueId}; ${date}\\n`
    : `${head} id ${queueId}\\n\\tfor <${escapeRegExp(single)}>; ${date}\\n`;
}

/** Checks one delivered copy: virtual's lines, qmqpd's Received, ours, then exactly the message. */
function checkCopy(t: Test, file: Buffer | undefined, sender: string, recipient: string, queueId: string, single: boolean, message: Expected = STORED, helo = 'x'): void {
  const before = `${escapeRegExp(virtualPrefix(sender, recipient))}${qmqpdReceived(queueId, single ? recipient : undefined)}${ourTrace(helo)}`;
  checkMessage(t, recipient, file, before, message);
}

/** A TCP server on loopback that does `handle` with each connection; closed at teardown. */
async function fakeServer(t: Test, handle: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

const START = (from: string, rcpts: string[]): string[] => [HELO_OK, SENDER_OK(`<${from}>`), ...rcpts.map((r) => RCPT_OK(`<${r}>`)), GO_AHEAD];

t.test('against Postfix qmqpd', async (t) => {
  const [port, unauthorized, rejecting, deferring] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const postfix: PostfixInstance = await startPostfix(t, {
    master: [
      `127.0.0.1:${port} inet n - n - - qmqpd`,
      // Not our address: qmqpd answers D at once, before reading the message.
      `127.0.0.1:${unauthorized} inet n - n - - qmqpd -o qmqpd_authorized_clients=192.0.2.1`,
      // Through a cleanup with header_checks: Subject "reject me" is refused (D) ...
      `127.0.0.1:${rejecting} inet n - n - - qmqpd -o cleanup_service_name=cleanup_checks`,
      // ... and with soft_bounce qmqpd makes that refusal temporary (Z).
      `127.0.0.1:${deferring} inet n - n - - qmqpd -o cleanup_service_name=cleanup_checks -o soft_bounce=yes`,
      'cleanup_checks unix n - n - 0 cleanup -o header_checks=regexp:${config_directory}/header_checks',
    ],
    main: ['qmqpd_authorized_clients = 127.0.0.1'],
    files: { header_checks: '/^Subject: reject me/ REJECT 5.7.1 we do not take this\n' },
  });
  const plugins = (args: string): string[] => ['rcpt_ok', `queue/qmqp-forward ${args}`];

  t.test('two recipients: both mailboxes get the message byte for byte', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['a@example.com', 'b@example.com']), { plugins: plugins(`127.0.0.1 ${port}`) });
    t.same(r.lines.slice(1, 6), START('s@x.test', ['a@example.com', 'b@example.com']));
    const queued = /^250 Queued! Ok: queued as ([0-9A-F]+)$/.exec(r.lines[6] ?? '');
    t.ok(queued, `the server's K answer: ${r.lines[6]}`);
    const queueId = queued?.[1] ?? '';
    const [a] = await postfix.waitForDelivery('a');
    const [b] = await postfix.waitForDelivery('b');
    checkCopy(t, a, 's@x.test', 'a@example.com', queueId, false);
    checkCopy(t, b, 's@x.test', 'b@example.com', queueId, false);
  });

  t.test('the null sender and one recipient', async (t) => {
    const r = await pluginSession(t, session('', ['c@example.com']), { plugins: plugins(`127.0.0.1 ${port}`) });
    const queued = /^250 Queued! Ok: queued as ([0-9A-F]+)$/.exec(r.lines[5] ?? '');
    t.ok(queued, r.lines[5]);
    const [c] = await postfix.waitForDelivery('c');
    checkCopy(t, c, '', 'c@example.com', queued?.[1] ?? '', true);
  });

  t.test('config qmqpservers: servers tried in order until one takes the connection', async (t) => {
    const closed = await freePort();
    const r = await pluginSession(t, session('s@x.test', ['d@example.com']), {
      plugins: plugins(''),
      config: { qmqpservers: [`127.0.0.1:${closed}`, `127.0.0.1:${port}`] },
    });
    t.match(r.lines[5], /^250 Queued! Ok: queued as [0-9A-F]+$/);
    t.match(r.stderr, `cannot connect to 127.0.0.1:${closed}: connection refused`, 'the refused one is logged');
    await postfix.waitForDelivery('d');
  });

  t.test('D at once: qmqpd refuses an unauthorized client before reading the message', async (t) => {
    // qmqpd answers and closes without reading. The answer is used when it is
    // read before the connection breaks under the message being written;
    // otherwise Node has dropped it with the broken socket, and the message is
    // deferred (as qmail-qmqpc does whenever a write fails).
    const r = await pluginSession(t, session('s@x.test', ['e@example.com']), { plugins: plugins(`127.0.0.1 ${unauthorized}`) });
    t.match(
      r.lines[5],
      new RegExp(
        '^(552 Denied: Error: localhost\\[127\\.0\\.0\\.1\\] is not authorized to use this service' +
          `|452 Unable to queue message \\((connection to 127\\.0\\.0\\.1:${unauthorized} failed|127\\.0\\.0\\.1:${unauthorized} closed the connection) at message.*\\))$`,
      ),
    );
    t.same(postfix.delivered('e'), [], 'nothing delivered');
  });

  const rejected = Buffer.from(crlf('Subject: reject me', '', 'body'));

  t.test("D: cleanup's header_checks REJECT, with Postfix's text", async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['e@example.com'], rejected), { plugins: plugins(`127.0.0.1 ${rejecting}`) });
    t.equal(r.lines[5], '552 Denied: Error: 5.7.1 we do not take this');
  });

  t.test('Z: the same refusal with soft_bounce is temporary', async (t) => {
    const r = await pluginSession(t, session('s@x.test', ['e@example.com'], rejected), { plugins: plugins(`127.0.0.1 ${deferring}`) });
    t.equal(r.lines[5], '452 Deferred: Error: 5.7.1 we do not take this');
    t.same(postfix.delivered('e'), [], 'nothing delivered');
  });

  t.test('a 200 MB message is streamed: peak RSS under 100 MB, delivered byte for byte', async (t) => {
    const r = await bigMessageSession(t, {
      plugins: plugins(`127.0.0.1 ${port}`),
      config: { databytes: '0' },
      sender: 's@x.test',
      recipients: ['big@example.com'],
      megabytes: 200,
    });
    const queued = /^250 Queued! Ok: queued as ([0-9A-F]+)$/.exec(r.lines[5] ?? '');
    t.ok(queued, r.lines[5]);
    t.ok(r.peakKb < 100 * 1024, `peak RSS ${Math.round(r.peakKb / 1024)} MB`);
    const [file] = await postfix.waitForDelivery('big');
    checkCopy(t, file, 's@x.test', 'big@example.com', queued?.[1] ?? '', true, r, 'big.test');
  });
});

t.test('failures of the next hop', async (t) => {
  const MESSAGE = session('s@x.test', ['a@example.com']);
  const run = (args: string, config: Record<string, string | string[]> = {}) =>
    pluginSession(t, MESSAGE, { plugins: ['rcpt_ok', `queue/qmqp-forward ${args}`], config });

  t.test('nothing listens: refused connection', async (t) => {
    const port = await freePort();
    const r = await run(`127.0.0.1 ${port}`);
    t.equal(r.lines[5], `452 Unable to queue message (cannot connect to 127.0.0.1:${port}: connection refused)`);
  });

  t.test('every configured server refuses', async (t) => {
    const [one, two] = [await freePort(), await freePort()];
    const r = await run('', { qmqpservers: [`127.0.0.1:${one}`, `127.0.0.1:${two}`] });
    t.equal(
      r.lines[5],
      `452 Unable to queue message (cannot connect to 127.0.0.1:${one}: connection refused; cannot connect to 127.0.0.1:${two}: connection refused)`,
    );
  });

  t.test('no server given and no config qmqpservers', async (t) => {
    const r = await run('');
    t.equal(r.lines[5], '452 Unable to queue message (no QMQP server configured)');
  });

  t.test('the server takes the message and never answers: timeout', async (t) => {
    const port = await fakeServer(t, (s) => s.resume());
    const r = await run(`127.0.0.1 ${port} timeout 1`);
    t.equal(r.lines[5], `452 Unable to queue message (127.0.0.1:${port} timed out at end of message: no reply within 1 s)`);
  });

  t.test('the hook time limit (plugin_timeout) comes first: we give up before the core does', async (t) => {
    const port = await fakeServer(t, (s) => s.resume());
    const r = await run(`127.0.0.1 ${port} timeout 30`, { plugin_timeout: '2' });
    t.equal(r.lines[5], `452 Unable to queue message (127.0.0.1:${port} timed out at end of message: no reply before plugin_timeout)`);
  });

  t.test('the server stops reading: timeout while sending', async (t) => {
    const port = await fakeServer(t, (s) => s.pause());
    const r = await bigMessageSession(t, {
      plugins: ['rcpt_ok', `queue/qmqp-forward 127.0.0.1 ${port} timeout 1`],
      sender: 's@x.test',
      recipients: ['a@example.com'],
      megabytes: 20,
    });
    t.equal(r.lines[5], `452 Unable to queue message (127.0.0.1:${port} timed out at message: took no data within 1 s)`);
  });

  t.test('an answer before the end of the message counts (the server stops reading)', async (t) => {
    const port = await fakeServer(t, (s) => {
      s.pause();
      s.write('13:Dgo away, now,');
    });
    const r = await run(`127.0.0.1 ${port}`);
    t.equal(r.lines[5], '552 Denied: go away, now');
  });

  t.test('the server closes without an answer', async (t) => {
    const port = await fakeServer(t, (s) => s.once('data', () => s.end()));
    const r = await run(`127.0.0.1 ${port}`);
    t.match(
      r.lines[5],
      new RegExp(`^452 Unable to queue message \\((127\\.0\\.0\\.1:${port} closed the connection|connection to 127\\.0\\.0\\.1:${port} failed) at `),
    );
  });

  t.test('an answer that is not a netstring', async (t) => {
    const port = await fakeServer(t, (s) => s.once('data', () => s.write('hello\r\n')));
    const r = await run(`127.0.0.1 ${port}`);
    t.equal(r.lines[5], `452 Unable to queue message (protocol error from 127.0.0.1:${port} at end of message: not a netstring: "hello\\r\\n")`);
  });

  t.test('an answer that is neither K, Z nor D', async (t) => {
    const port = await fakeServer(t, (s) => s.once('data', () => s.end('6:Xwhat?,')));
    const r = await run(`127.0.0.1 ${port}`);
    t.equal(r.lines[5], `452 Unable to queue message (protocol error from 127.0.0.1:${port} at end of message: the answer "Xwhat?" is not K, Z or D)`);
  });

  t.test('control characters in the answer do not reach the client', async (t) => {
    const port = await fakeServer(t, (s) => s.once('data', () => s.end('13:Kok\r\n250 fake,')));
    const r = await run(`127.0.0.1 ${port}`);
    t.equal(r.lines[5], '250 Queued! ok??250 fake');
  });
});

t.test('arguments', async (t) => {
  const start = async (line: string): Promise<string[]> =>
    (await pluginSession(t, crlf('QUIT'), { plugins: [line] })).lines;
  t.match((await start('queue/qmqp-forward bad/host'))[0], /^421 /, 'a bad server name stops the start-up');
  t.match((await start('queue/qmqp-forward 127.0.0.1 port'))[0], /^421 /, 'a bad port too');
  t.match((await start('queue/qmqp-forward 127.0.0.1 628 timeout 0'))[0], /^421 /, 'and a bad timeout');
  t.match((await start('queue/qmqp-forward ::1 628 timeout 5'))[0], /^220 /, 'an IPv6 address is a server');
});
