// docs/writing-plugins.md, the walk-through, is tested three ways:
//
// 1. Every shell command of the page runs again, in order, from a work
//    directory laid out like the checkout (dist/ and examples/ linked, run/
//    of its own), and every output block shown after a command must be what
//    it printed (only pids, queue ids, dates, the version and the checkout's
//    path may differ). The config files shown are the files themselves.
// 2. The walk-through's plugins run through the BUILT binary (dist/qpsmtpd)
//    with exact reply lines, exit statuses, log lines and stored bytes, for
//    the facts the page states (the reject arguments, typos, the relay
//    exemption, the notes, the files of the queue plugin, its failures).
// 3. The walk-through's own test file (examples/walkthrough/queue_files.test.ts),
//    written against the test kit, runs here, with 'qpsmtpd' and
//    'qpsmtpd/testing' mapped to this source tree.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import * as api from '../../src/api';
import { OK } from '../../src/constants';
import { provideModule } from '../../src/plugin/api-module';
import * as testing from '../../src/testing';
import { startSession } from '../../src/testing';
import { type CodeBlock, codeBlocks } from '../helpers/markdown';
import {
  DATE_PATTERN,
  ME,
  PROJECT_DIR,
  VERSION,
  bytes,
  cleanEnv,
  crlf,
  escapeRegExp,
  makeWorkDir,
  replyLines,
  requireBinary,
  runBinary,
  type WorkDir,
} from '../helpers/e2e';

requireBinary();

const DOC = 'docs/writing-plugins.md';
const WALK = join(PROJECT_DIR, 'examples/walkthrough');
const PLUGINS = join(WALK, 'plugins');
const CLIENT = '192.0.2.1';

// ---------------------------------------------------------------------------
// The page's blocks

function docBlocks(): CodeBlock[] {
  return codeBlocks(join(PROJECT_DIR, DOC));
}

/** Every file under a directory, as paths relative to the project. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [relative(PROJECT_DIR, join(dir, entry.name))],
  );
}

t.test('the page shows every plugin and test file of examples/walkthrough, and its config files as they are', async (t) => {
  const blocks = docBlocks();
  const shown = new Set<string>();
  for (const block of blocks) {
    const marker = /^(?:\/\/|#) (examples\/\S+)\n/.exec(block.body);
    if (!marker) continue;
    shown.add(marker[1]!);
    t.equal(block.body, readFileSync(join(PROJECT_DIR, marker[1]!), 'utf8'), `${DOC}:${block.line} is ${marker[1]}`);
  }
  for (const file of filesUnder(WALK).filter((f) => f.endsWith('.ts'))) t.ok(shown.has(file), `${file} is shown`);
  for (const block of blocks.filter((b) => b.lang === 'ts')) t.match(block.body, /^\/\/ examples\/walkthrough\//, `${DOC}:${block.line} is a walk-through file`);
});

// ---------------------------------------------------------------------------
// 1. Every command of the page, run again

/** What varies from run to run, made equal on both sides. */
function normal(text: string, work: string, broken: string): string {
  return text
    .replace(/\r\n/g, '\n') // replies end in CR LF; a terminal does not show the CR
    .replaceAll(broken, '/tmp/broken')
    .replaceAll(`${work}/`, '')
    .replaceAll(`${PROJECT_DIR}/`, '')
    .replace(/^\d+ (?=(?:emerg|alert|crit|error|warn|notice|info|debug) )/gm, 'PID ')
    .replace(/\b\d{10,}\.\d+\.\d+\b/g, 'QUEUE-ID')
    .replace(new RegExp(DATE_PATTERN, 'g'), 'DATE')
    .replace(/qpsmtpd \d+\.\d+\.\d+\S* ready/g, 'qpsmtpd VERSION ready')
    .replace(/qpsmtpd-ts\/\d+\.\d+\.\d+\S*\)/g, 'qpsmtpd-ts/VERSION)')
    .replace(/[ \t]+$/gm, '');
}

/** Commands the page shows but that are not part of the walk (a server, a build, the tap run done below). */
const NOT_RUN = /^(?:make|npx|swaks)\b/;

t.test('every command of the page prints what the page shows', async (t) => {
  // A work directory laid out like the checkout: the commands run as written.
  const work = mkdtempSync(join(tmpdir(), 'qpsmtpd-walkthrough-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  symlinkSync(join(PROJECT_DIR, 'dist'), join(work, 'dist'));
  symlinkSync(join(PROJECT_DIR, 'examples'), join(work, 'examples'));
  mkdirSync(join(work, 'run'));
  const broken = join(work, 'broken');

  const blocks = docBlocks();
  let ran = 0;
  let compared = 0;
  for (const [i, block] of blocks.entries()) {
    if (block.lang !== 'sh' || NOT_RUN.test(block.body)) continue;
    const command = block.body.replaceAll('/tmp/broken', broken);
    const r = spawnSync('bash', ['-c', `{\n${command}} 2>&1`], {
      cwd: work,
      env: cleanEnv({ HOME: work }),
      encoding: 'utf8',
      timeout: 30000,
    });
    t.equal(r.error, undefined, `${DOC}:${block.line} ran`);
    ran++;
    const next = blocks[i + 1];
    if (next?.lang !== 'text' || /^# /.test(next.body)) continue;
    compared++;
    t.equal(normal(r.stdout, work, broken), normal(next.body, work, broken), `${DOC}:${next.line} is what ${DOC}:${block.line} prints`);
  }
  t.ok(ran >= 12, `the page's commands ran (${ran})`);
  t.ok(compared >= 12, `outputs compared (${compared})`);
});

// ---------------------------------------------------------------------------
// 2. The plugins through dist/qpsmtpd, fact by fact

const greeting = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const hi = (ip = CLIENT): string => `250 ${ME} Hi [${ip}] [${ip}]; I am so happy to meet you.`;
const bye = `221 ${ME} closing connection. Have a wonderful day.`;
const senderOk = (a: string): string => `250 ${a}, sender OK - how exciting to get mail from you!`;
const recipientOk = (a: string): string => `250 ${a}, recipient ok`;
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

/**
 * A work dir with the config files of examples/walkthrough/config/<name>
 * (me is mx.e2e.test, so that the e2e helpers' texts fit), changed by `edit`.
 */
function siteWork(t: { teardown(fn: () => void): void }, name: string, edit: (files: Record<string, string>) => void = () => undefined): WorkDir {
  const dir = join(WALK, 'config', name);
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir)) files[file] = readFileSync(join(dir, file), 'utf8');
  files.me = ME;
  edit(files);
  return makeWorkDir(t, { config: files });
}

/** The site's plugins with the queue directory inside the work dir. */
function siteWithQueue(t: Test, edit: (files: Record<string, string>) => void = () => undefined): { work: WorkDir; queue: string } {
  const work = siteWork(t, 'site', (files) => {
    t.ok(files.plugins!.includes('\nqueue/files run/queue\n'), 'the site queues into run/queue');
    files.plugins = files.plugins!.replace('\nqueue/files run/queue\n', '\nqueue/files @WORK@/queue\n');
    edit(files);
  });
  const queue = join(work.dir, 'queue');
  mkdirSync(queue);
  return { work, queue };
}

async function session(work: WorkDir, input: string, ...extra: string[]) {
  const r = await runBinary({ args: [...work.args, '--plugin-dir', PLUGINS, '--remote-ip', CLIENT, ...extra], input });
  return { ...r, lines: replyLines(r.stdout), log: r.stderr.split('\n').filter((l) => l !== '') };
}

/** Log lines without the pid. */
const withoutPid = (lines: string[]): string[] => lines.map((l) => l.replace(/^\d+ /, ''));

t.test('1. maintenance: 450 with its text, and the connection is closed', async (t) => {
  const work = siteWork(t, 'maintenance');
  const r = await session(work, crlf('HELO client.example.net', 'QUIT'));
  t.same(r.lines, ['450 Closed for maintenance, please try again in an hour']);
  t.equal(r.code, 0);
});

t.test('1. a compile error: 421 to the client, the file, line and column in the log, exit status 1', async (t) => {
  const work = siteWork(t, 'maintenance');
  const dir = join(work.dir, 'broken');
  mkdirSync(dir);
  const source = readFileSync(join(PLUGINS, 'maintenance.ts'), 'utf8');
  t.ok(source.includes("hour']"), 'the bracket the page removes is there');
  writeFileSync(join(dir, 'maintenance.ts'), source.replace("hour']", "hour'"));
  const r = await runBinary({ args: [...work.args, '--plugin-dir', dir, '--remote-ip', CLIENT], input: crlf('QUIT') });
  t.same(replyLines(r.stdout), [UNAVAILABLE]);
  t.equal(r.code, 1);
  const file = join(dir, 'maintenance.ts');
  t.same(withoutPid(r.stderr.trim().split('\n')), [`crit start-up failed: plugin maintenance (${file}) failed to load: ${file}:5:99: Expected "]" but found ";"`]);

  const check = await runBinary({ args: [...work.args, '--plugin-dir', dir, '--check'] });
  t.equal(check.code, 1, '--check fails the same way');
  t.match(check.stderr, `${file}:5:99: Expected "]" but found ";"`);
});

t.test('2. helo_check: our own name and listed names are refused, others greeted', async (t) => {
  const work = siteWork(t, 'helo');
  const r = await session(work, crlf('HELO localhost', `HELO ${ME.toUpperCase()}`, 'HELO LOCALHOST.localdomain', 'HELO client.example.net', 'QUIT'));
  t.same(r.lines, [
    greeting,
    '550 localhost is not a name on the Internet',
    `550 You are not ${ME.toUpperCase()}`,
    '550 LOCALHOST.localdomain is not a name on the Internet',
    hi(),
    bye,
  ]);
  t.same(r.log, [], 'nothing at loglevel 4');
});

t.test('2. helo_check: the reject arguments, as the table of the page says', async (t) => {
  const text = 'localhost is not a name on the Internet';
  const rows: [string, string[], string][] = [
    ['helo_check reject_type temp', [greeting, `450 ${text}`, hi(), bye], 'the client may greet again'],
    ['helo_check reject_type perm', [greeting, `550 ${text}`, hi(), bye], 'the client may greet again'],
    ['helo_check reject_type disconnect', [greeting, `550 ${text}`], 'closed'],
    ['helo_check reject_type temp_disconnect', [greeting, `450 ${text}`], 'closed'],
    ['helo_check reject 0', [greeting, hi(), '503 but you already said HELO ...', bye], 'accepted'],
  ];
  for (const [line, expected, what] of rows) {
    const work = siteWork(t, 'helo', (files) => (files.plugins = `${line}\n`));
    const r = await session(work, crlf('HELO localhost', 'HELO client.example.net', 'QUIT'), '--loglevel', '6');
    t.same(r.lines, expected, `${line}: ${what}`);
    const fail = r.log.filter((l) => l.includes('helo_check: fail'));
    t.same(withoutPid(fail), [`info (helo) helo_check: fail${line.endsWith('reject 0') ? ', tolerated' : ''}, listed in helo_check_bad: localhost`]);
  }
});

t.test('2. helo_check: a typo or a missing value in config/plugins stops the start-up', async (t) => {
  const doc = readFileSync(join(PROJECT_DIR, DOC), 'utf8');
  for (const [line, message] of [
    ['helo_check rejct 0', 'helo_check: unknown argument "rejct" (known: reject, reject_type, loglevel)'],
    ['helo_check reject_type', 'helo_check: "reject_type" needs a value'],
  ] as const) {
    const work = siteWork(t, 'helo', (files) => (files.plugins = `${line}\n`));
    const r = await session(work, crlf('HELO localhost', 'QUIT'));
    t.same(r.lines, [UNAVAILABLE], line);
    t.equal(r.code, 1);
    const logged = `crit start-up failed: plugin helo_check (${join(PLUGINS, 'helo_check.ts')}) failed to load: ${message}`;
    t.same(withoutPid(r.log), [logged]);
    if (line === 'helo_check rejct 0') {
      t.ok(doc.includes(`\`${logged.replace(PLUGINS, '...')}\``), 'the page quotes the log line');
      t.ok(doc.includes(`\`${UNAVAILABLE.replace(ME, 'mx.example.com')}\``), 'the page quotes the reply');
    }
  }
});

t.test('2. helo_check: relay clients are not checked, and the log says why', async (t) => {
  // The site: relay (relayclients: 127.0.0.1) in front of helo_check.
  const { work } = siteWithQueue(t);
  const r = await runBinary({
    args: [...work.args, '--plugin-dir', PLUGINS, '--remote-ip', '127.0.0.1', '--loglevel', '6'],
    input: crlf('HELO localhost', 'QUIT'),
  });
  t.same(replyLines(r.stdout), [greeting, hi('127.0.0.1'), bye]);
  t.match(r.stderr, /\d+ info \(helo\) helo_check: skip, relay client\n/);
});

t.test('2. helo_check: the loglevel argument moves its own lines only', async (t) => {
  const work = siteWork(t, 'helo', (files) => (files.plugins = 'helo_check loglevel -1\n'));
  const r = await session(work, crlf('HELO localhost', 'QUIT'), '--loglevel', '6');
  t.same(r.lines.slice(0, 2), [greeting, '550 localhost is not a name on the Internet']);
  const own = withoutPid(r.log).filter((l) => l.startsWith('info (helo) helo_check: ') || l.startsWith('notice (helo) helo_check: '));
  t.same(own, ['info (helo) helo_check: checking localhost against 2 listed name(s)', 'notice (helo) helo_check: fail, listed in helo_check_bad: localhost']);
  t.notOk(r.log.some((l) => / debug /.test(l)), 'the core\'s debug lines stay below the threshold');
});

t.test('2. helo_check: reject naughty leaves the refusal in the connection note naughty', async (t) => {
  const s = await startSession({
    plugins: ['helo_check reject naughty'],
    pluginDirs: [PLUGINS],
    config: { me: 'mx.example.com', helo_check_bad: ['localhost'] },
  });
  t.teardown(() => s.close());
  t.equal((await s.send('HELO localhost')).code, 250);
  t.equal(s.connection.notes('naughty'), '(helo_check) localhost is not a name on the Internet');
});

const QUEUED = /^250 Queued as (\d+\.\d+\.\d+)$/;

/** The lines the core puts above a message from CLIENT after HELO client.example.net. */
const trace = (protocol = 'SMTP'): string =>
  escapeRegExp(`Authentication-Results: ${ME}; auth=none\nReceived: from [${CLIENT}] (HELO client.example.net) (${CLIENT})\n by ${ME} (qpsmtpd-ts/${VERSION}) with ${protocol} ; `) +
  DATE_PATTERN +
  '\\n';

/** The replies with the queue ids replaced by ID. */
const withoutIds = (lines: string[]): string[] => lines.map((l) => l.replace(QUEUED, '250 Queued as ID'));

/** The ids in the replies, in order. */
const queueIds = (lines: string[]): string[] => lines.flatMap((l) => QUEUED.exec(l)?.[1] ?? []);

t.test('3. limits: recipients per transaction, messages per connection', async (t) => {
  const { work, queue } = siteWithQueue(t);
  const r = await session(
    work,
    crlf(
      'HELO client.example.net',
      'MAIL FROM:<alice@example.net>',
      ...['a', 'b', 'c', 'd'].map((u) => `RCPT TO:<${u}@example.com>`),
      'RSET',
      'MAIL FROM:<alice@example.net>',
      ...['a', 'b', 'c', 'd'].map((u) => `RCPT TO:<${u}@example.com>`),
      'DATA',
      'Subject: one',
      '',
      'Hello.',
      '.',
      'MAIL FROM:<alice@example.net>',
      'RCPT TO:<a@example.com>',
      'DATA',
      'Subject: two',
      '',
      'Hello again.',
      '.',
      'MAIL FROM:<alice@example.net>',
      'QUIT',
    ),
  );
  const four = ['a', 'b', 'c'].map((u) => recipientOk(`<${u}@example.com>`));
  const tooMany = '450 Too many recipients, please send the rest in another message';
  t.same(withoutIds(r.lines), [
    greeting,
    hi(),
    senderOk('<alice@example.net>'),
    ...four,
    tooMany,
    '250 OK',
    senderOk('<alice@example.net>'),
    ...four,
    tooMany,
    '354 go ahead',
    '250 Queued as ID',
    senderOk('<alice@example.net>'),
    recipientOk('<a@example.com>'),
    '354 go ahead',
    '250 Queued as ID',
    '421 2 messages on one connection are enough, please reconnect',
  ], 'QUIT is never read: the connection is closed');
  const [first, second] = queueIds(r.lines);
  t.equal(readFileSync(join(queue, `${first}.env`), 'utf8'), 'MAIL FROM:<alice@example.net>\nRCPT TO:<a@example.com>\nRCPT TO:<b@example.com>\nRCPT TO:<c@example.com>\n');
  t.match(readFileSync(join(queue, `${first}.eml`), 'utf8'), /\nX-Message-Info: 1 line\(s\), 7 bytes, message 1 on this connection\n\nHello\.\n$/);
  t.match(readFileSync(join(queue, `${second}.eml`), 'utf8'), /\nX-Message-Info: 1 line\(s\), 13 bytes, message 2 on this connection\n\nHello again\.\n$/);
});

t.test('3. limits: the notes, typed, as other plugins see them', async (t) => {
  const seen: [number | undefined, number | undefined][] = [];
  const s = await startSession({
    plugins: ['limits messages 5 recipients 5', 'rcpt_ok'],
    pluginDirs: [PLUGINS],
    config: { me: 'mx.example.com', rcpthosts: ['example.com'] },
    hooks: {
      queue(transaction) {
        seen.push([this.connection.notes('messages_received'), transaction.notes('recipients_tried')]);
        return OK;
      },
    },
  });
  t.teardown(() => s.close());
  await s.send('HELO client.example.net');
  for (const rcpts of [2, 1]) {
    await s.send('MAIL FROM:<alice@example.net>');
    for (let i = 0; i < rcpts; i++) await s.send(`RCPT TO:<u${i}@example.com>`);
    await s.send('DATA');
    await s.data('Subject: x\n\nx\n');
  }
  t.same(seen, [
    [1, 2],
    [2, 1],
  ], 'the connection note counts on, the transaction note starts again');
  await t.rejects(startSession({ plugins: ['limits messages none'], pluginDirs: [PLUGINS] }), /limits: messages and recipients must be numbers above 0/);
});

t.test('4. message_info: a line longer than max_line is refused with 552; the body is read line by line', async (t) => {
  const { work, queue } = siteWithQueue(t);
  const body = (n: number): string => '0'.repeat(n);
  const r = await session(
    work,
    crlf(
      'HELO client.example.net',
      'MAIL FROM:<alice@example.net>',
      'RCPT TO:<bob@example.com>',
      'DATA',
      'Subject: a long line',
      '',
      body(1000),
      '.',
      'MAIL FROM:<alice@example.net>',
      'RCPT TO:<bob@example.com>',
      'DATA',
      'Subject: just short enough',
      '',
      body(998),
      '..dot',
      '.',
      'QUIT',
    ),
  );
  t.same(withoutIds(r.lines), [
    greeting,
    hi(),
    senderOk('<alice@example.net>'),
    recipientOk('<bob@example.com>'),
    '354 go ahead',
    '552 Line too long (1000 bytes; at most 998 are allowed)',
    senderOk('<alice@example.net>'),
    recipientOk('<bob@example.com>'),
    '354 go ahead',
    '250 Queued as ID',
    bye,
  ]);
  const [id] = queueIds(r.lines);
  t.match(
    bytes(readFileSync(join(queue, `${id}.eml`))),
    new RegExp(`^${trace()}${escapeRegExp(`Subject: just short enough\nX-Message-Info: 2 line(s), 1004 bytes, message 2 on this connection\n\n${body(998)}\n.dot\n`)}$`),
    'the header added at the end of the header section; the first message counted too',
  );

  const { work: short } = siteWithQueue(t, (files) => (files.plugins = files.plugins!.replace('\nmessage_info\n', '\nmessage_info max_line 20\n')));
  const r2 = await session(short, crlf('HELO client.example.net', 'MAIL FROM:<a@example.net>', 'RCPT TO:<bob@example.com>', 'DATA', 'Subject: x', '', body(21), '.', 'QUIT'));
  t.equal(r2.lines.at(-2), '552 Line too long (21 bytes; at most 20 are allowed)');
});

t.test('5. queue/files: the message and the envelope, byte for byte, mode 0600, nothing else', async (t) => {
  const { work, queue } = siteWithQueue(t);
  const message = ['From: Alice <alice@example.net>', 'Subject: lunch', '', 'Thursday at noon?', '..', 'a line with a dot'];
  const r = await session(
    work,
    crlf('EHLO client.example.net', 'MAIL FROM:<alice@example.net>', 'RCPT TO:<bob@example.com>', 'RCPT TO:<Carol@Example.com>', 'DATA', ...message, '.', 'QUIT'),
  );
  t.equal(r.code, 0);
  t.same(withoutIds(r.lines), [
    greeting,
    `250-${ME} Hi [${CLIENT}] [${CLIENT}]`,
    '250-PIPELINING',
    '250-8BITMIME',
    '250 SIZE 10000000',
    senderOk('<alice@example.net>'),
    recipientOk('<bob@example.com>'),
    recipientOk('<Carol@Example.com>'),
    '354 go ahead',
    '250 Queued as ID',
    bye,
  ]);
  const [id] = queueIds(r.lines);
  if (!id) {
    t.fail(`no "250 Queued as <id>" in ${JSON.stringify(r.lines)}`);
    return;
  }
  t.match(id, new RegExp(`^\\d{13}\\.\\d+\\.0$`), 'time in ms, pid, counter');
  t.same(readdirSync(queue).sort(), [`${id}.eml`, `${id}.env`]);
  t.equal(readFileSync(join(queue, `${id}.env`), 'utf8'), 'MAIL FROM:<alice@example.net>\nRCPT TO:<bob@example.com>\nRCPT TO:<Carol@Example.com>\n');
  t.match(
    bytes(readFileSync(join(queue, `${id}.eml`))),
    new RegExp(
      `^${trace('ESMTP')}${escapeRegExp('From: Alice <alice@example.net>\nSubject: lunch\nX-Message-Info: 3 line(s), 38 bytes, message 1 on this connection\n\nThursday at noon?\n.\na line with a dot\n')}$`,
    ),
  );
  for (const file of readdirSync(queue)) t.equal(statSync(join(queue, file)).mode & 0o777, 0o600, `${file} is 0600`);
  t.equal(r.stderr, '', 'nothing logged at loglevel 4');
});

t.test('5. queue/files: no directory: 452 with the text, the error logged, nothing left behind', async (t) => {
  const { work, queue } = siteWithQueue(t);
  rmSync(queue, { recursive: true });
  const r = await session(
    work,
    crlf('HELO client.example.net', 'MAIL FROM:<alice@example.net>', 'RCPT TO:<bob@example.com>', 'DATA', 'Subject: lunch', '', 'Thursday at noon?', '.', 'QUIT'),
  );
  t.same(r.lines, [
    greeting,
    hi(),
    senderOk('<alice@example.net>'),
    recipientOk('<bob@example.com>'),
    '354 go ahead',
    '452 Cannot store the message now, please try again later',
    bye,
  ]);
  t.equal(r.code, 0);
  t.match(withoutPid(r.log), [new RegExp(`^error \\(queue\\) queue::files: cannot queue into ${escapeRegExp(queue)}: ENOENT: no such file or directory, open '${escapeRegExp(queue)}/\\d+\\.\\d+\\.0\\.eml'$`)]);
  t.notOk(readdirSync(work.dir).includes('queue'), 'the plugin does not make the directory');

  // A file where the directory should be: ENOTDIR, the same answer.
  writeFileSync(queue, 'not a directory');
  const r2 = await session(work, crlf('HELO client.example.net', 'MAIL FROM:<alice@example.net>', 'RCPT TO:<bob@example.com>', 'DATA', 'Subject: x', '', 'x', '.', 'QUIT'));
  t.equal(r2.lines.at(-2), '452 Cannot store the message now, please try again later');
  t.match(r2.stderr, /cannot queue into .*: ENOTDIR/);
  t.equal(readFileSync(queue, 'utf8'), 'not a directory');
});

t.test('5. queue/files: without its directory argument the server does not start', async (t) => {
  const { work } = siteWithQueue(t, (files) => (files.plugins = files.plugins!.replace('\nqueue/files @WORK@/queue\n', '\nqueue/files\n')));
  const r = await session(work, crlf('QUIT'));
  t.same(r.lines, [UNAVAILABLE]);
  t.match(r.stderr, /failed to load: queue\/files needs the queue directory as its argument/);
});

t.test('5. a queue plugin over plugin_timeout fails closed: 452 plugin timeout', async (t) => {
  const s = await startSession({
    plugins: ['rcpt_ok'],
    config: { me: 'mx.example.com', rcpthosts: ['example.com'], plugin_timeout: 1 },
    hooks: { queue: () => new Promise((resolve) => setTimeout(() => resolve(OK), 1500)) },
  });
  t.teardown(() => s.close());
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<alice@example.net>');
  await s.send('RCPT TO:<bob@example.com>');
  await s.send('DATA');
  t.same((await s.data('Subject: slow\n\nslow\n')).lines, ['452 plugin timeout']);
  t.same(
    s.results.filter((r) => r.hook === 'queue'),
    [{ hook: 'queue', plugin: 'mock', code: 'DENYSOFT', message: 'plugin timeout' }],
  );
});

t.test('6. --test-plugin with the queue plugin: the runner accepts the recipient, the plugin queues the message', async (t) => {
  const { work } = siteWithQueue(t);
  const r = await runBinary({
    args: [...work.args, '--plugin-dir', PLUGINS, '--remote-ip', CLIENT, '--test-plugin', `queue/files ${join(work.dir, 'queue')}`, '--rcpt-to', 'bob@example.com'],
  });
  t.equal(r.code, 0);
  const out = r.stdout.toString().split('\n');
  t.equal(out[0], `P: queue/files ${join(work.dir, 'queue')}  [queue::files, ${join(PLUGINS, 'queue/files.ts')}]: queue`);
  t.ok(out.includes('H: rcpt accept_rcpt OK'));
  t.ok(out.includes('S: 250 <bob@example.com>, recipient ok'));
  const queued = out.find((line) => line.startsWith('S: 250 Queued as '));
  t.ok(queued, 'the plugin answered for the message');
  const id = queued!.slice('S: 250 Queued as '.length);
  t.same(readdirSync(join(work.dir, 'queue')).sort(), [`${id}.eml`, `${id}.env`], 'the message and its envelope are on disk');
  t.notOk(out.some((line) => line.startsWith('Q: ')), 'the capture queue took nothing');
});

// ---------------------------------------------------------------------------
// 3. The walk-through's own tests, written with the test kit

provideModule('qpsmtpd', api);
provideModule('qpsmtpd/testing', testing);
require('../../examples/walkthrough/queue_files.test');
