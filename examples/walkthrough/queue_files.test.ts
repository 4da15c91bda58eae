// examples/walkthrough/queue_files.test.ts
// The queue/files plugin tested with qpsmtpd/testing and node-tap: each test
// runs a whole SMTP session in this process, with rcpt_ok in front to accept
// the recipients, and looks at the files the plugin wrote. Run it with
//   npx tap examples/walkthrough/queue_files.test.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LOGERROR, VERSION } from 'qpsmtpd';
import { startSession } from 'qpsmtpd/testing';

/** A fresh, empty queue directory, removed after the test. */
function queueDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'queue-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A session with rcpt_ok (recipients at example.com) and queue/files delivering into dir. */
async function session(t: Test, dir: string) {
  const s = await startSession({
    plugins: ['rcpt_ok', `queue/files ${dir}`],
    pluginDirs: [join(__dirname, 'plugins')],
    config: { me: 'mx.example.com', rcpthosts: ['example.com'] },
  });
  t.teardown(() => s.close());
  return s;
}

/** What the core puts above the message: its trace headers (the date varies). */
const TRACE =
  /^Authentication-Results: mx\.example\.com; auth=none\nReceived: from \[127\.0\.0\.1\] \(HELO client\.example\.net\) \(127\.0\.0\.1\)\n by mx\.example\.com \(qpsmtpd-ts\/([^)]+)\) with ESMTP ; [^\n]+\n/;

t.test('a message becomes <id>.eml and <id>.env, and only then the client gets 250', async (t) => {
  const dir = queueDir(t);
  const s = await session(t, dir);
  await s.send('EHLO client.example.net');
  await s.send('MAIL FROM:<alice@example.net>');
  await s.send('RCPT TO:<bob@example.com>');
  await s.send('RCPT TO:<carol@example.com>');
  t.equal((await s.send('DATA')).code, 354);
  // data() sends CRLF line ends and doubles the leading dot; the files get LF and one dot.
  const reply = await s.data('Subject: hello\n\nHi Bob, hi Carol.\n.signature\n');
  t.equal(reply.code, 250);
  const id = /^Queued as (\d+\.\d+\.\d+)$/.exec(reply.text)?.[1];
  if (!id) {
    t.fail(`no queue id in "${reply.text}"`);
    return;
  }

  t.same(readdirSync(dir).sort(), [`${id}.eml`, `${id}.env`], 'two files, no temporary one left');
  t.equal(readFileSync(join(dir, `${id}.env`), 'utf8'), 'MAIL FROM:<alice@example.net>\nRCPT TO:<bob@example.com>\nRCPT TO:<carol@example.com>\n');
  const eml = readFileSync(join(dir, `${id}.eml`), 'utf8');
  t.equal(TRACE.exec(eml)?.[1], VERSION, 'the trace headers come first');
  t.equal(eml.replace(TRACE, ''), 'Subject: hello\n\nHi Bob, hi Carol.\n.signature\n', 'then the message as sent');

  // The plugin answered the queue hook; the kit's capture queue got nothing.
  t.same(s.results.filter((r) => r.hook === 'queue'), [{ hook: 'queue', plugin: 'queue::files', code: 'OK', message: `Queued as ${id}` }]);
  t.same(s.queued, []);
  t.equal((await s.quit()).code, 221);
});

t.test('each message of a connection gets its own pair of files', async (t) => {
  const dir = queueDir(t);
  const s = await session(t, dir);
  await s.send('HELO client.example.net');
  const ids: string[] = [];
  for (const subject of ['one', 'two']) {
    await s.send('MAIL FROM:<alice@example.net>');
    await s.send('RCPT TO:<bob@example.com>');
    await s.send('DATA');
    const reply = await s.data(`Subject: ${subject}\n\n${subject}\n`);
    ids.push(reply.text.replace('Queued as ', ''));
  }
  t.not(ids[0], ids[1]);
  t.same(readdirSync(dir).sort(), ids.flatMap((id) => [`${id}.eml`, `${id}.env`]).sort());
  t.match(readFileSync(join(dir, `${ids[1]}.eml`), 'utf8'), /\nSubject: two\n\ntwo\n$/);
});

t.test('the queue directory does not exist: 452, nothing stored, the error logged', async (t) => {
  const parent = queueDir(t);
  const s = await session(t, join(parent, 'missing'));
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<alice@example.net>');
  await s.send('RCPT TO:<bob@example.com>');
  await s.send('DATA');
  const reply = await s.data('Subject: lost?\n\nNo: the client keeps it and tries again later.\n');
  t.same(reply.lines, ['452 Cannot store the message now, please try again later']);
  t.same(readdirSync(parent), [], 'nothing was created');
  t.same(s.queued, [], 'DENYSOFT decides the hook: no later queue plugin runs');
  const errors = s.logs.filter((l) => l.level === LOGERROR && l.plugin === 'queue::files');
  t.match(errors.map((l) => l.message), [/^cannot queue into .*\/missing: ENOENT: no such file or directory/]);
});

t.test('the directory goes away between two messages: the second gets 452', async (t) => {
  const dir = queueDir(t);
  const s = await session(t, dir);
  await s.send('HELO client.example.net');
  const send = async (): Promise<string[]> => {
    await s.send('MAIL FROM:<alice@example.net>');
    await s.send('RCPT TO:<bob@example.com>');
    await s.send('DATA');
    return (await s.data('Subject: hi\n\nhi\n')).lines;
  };
  t.match(await send(), [/^250 Queued as /]);
  rmSync(dir, { recursive: true });
  t.same(await send(), ['452 Cannot store the message now, please try again later']);
});

t.test('without a directory the plugin does not load', async (t) => {
  await t.rejects(startSession({ plugins: ['queue/files'], pluginDirs: [join(__dirname, 'plugins')] }), /queue\/files needs the queue directory as its argument/);
});
