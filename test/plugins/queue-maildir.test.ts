// queue/maildir <dir> [<subdir pattern>] [<mode>]: the exact bytes stored,
// per-recipient subdirectories, modes, file names and start-up checks.
// Checked against Debian's qpsmtpd 0.94 (apart from the order of
// Authentication-Results and Received, where current qpsmtpd wins).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { crlf, runTranscript } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK, transcript, VERSION } from '../helpers/session-tools';

const DATE = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The whole stored file: `before` + our trace headers + `after`, only the date matched loosely. */
function stored(before: string, after: string): RegExp {
  const trace =
    'Authentication-Results: mx.example.test; auth=none\n' +
    'Received: from [127.0.0.1] (HELO x) (127.0.0.1)\n' +
    ` by mx.example.test (qpsmtpd-ts/${VERSION}) with SMTP ; `;
  return new RegExp(`^${escape(before + trace)}${DATE}\\n${escape(after)}$`);
}

/** Every file below `dir`, relative, with its permission bits (directories end in "/"). */
function tree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const path = join(prefix, name);
    const st = statSync(join(dir, path));
    const mode = (st.mode & 0o777).toString(8);
    if (st.isDirectory()) out.push(`${mode} ${path}/`, ...tree(dir, path));
    else out.push(`${mode} ${path.replace(/new\/.*/, 'new/<file>')}`);
  }
  return out;
}

const MESSAGE = ['Subject: x', 'Message-Id: <m1@x>', '', 'body', '..dot', 'last'];
const CONFIG = { rcpthosts: 'example.com' };

t.test('one copy: Return-Path, Delivered-To (last recipient first), our headers, the message', async (t) => {
  const r = await transcript(
    t,
    crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'RCPT TO:<b@example.com>', 'DATA', ...MESSAGE, '.', 'QUIT'),
    { config: { ...CONFIG, plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] } },
  );
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), RCPT_OK('<b@example.com>'), '354 go ahead', '250 Queued! <m1@x>', BYE]);
  const files = r.delivered();
  t.equal(files.length, 1);
  t.match(files[0], stored('Return-Path: <s@x.test>\nDelivered-To: b@example.com\nDelivered-To: a@example.com\n', 'Subject: x\nMessage-Id: <m1@x>\n\nbody\n.dot\nlast\n'));
  t.same(readdirSync(join(r.dir, 'maildir/tmp')), [], 'tmp/ is left empty');
});

t.test('the file name: <seconds>.P<pid>M<microseconds>Q<counter>.<host>', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: y', '', 'b', '.', 'QUIT'), {
    config: { ...CONFIG, plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] },
  });
  const [name = ''] = readdirSync(join(r.dir, 'maildir/new'));
  const host = /[\w.-]+/.exec(hostname())?.[0];
  const match = /^(\d+)\.P(\d+)M(\d+)Q(\d+)\.(.+)$/.exec(name);
  t.ok(match, name);
  t.ok(Number(match?.[1]) >= before && Number(match?.[1]) <= Date.now() / 1000, 'seconds now');
  t.equal(Number(match?.[2]), process.pid);
  t.ok(Number(match?.[3]) < 1_000_000, 'microseconds within the second');
  t.equal(match?.[5], host);
});

t.test('the null sender and a message without Message-Id', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: bounce', '', 'sorry', '.', 'QUIT'), {
    config: { ...CONFIG, plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] },
  });
  t.equal(r.lines[5], '250 Queued! ', 'no id: the text ends in a space, as in qpsmtpd');
  t.match(r.delivered()[0], stored('Return-Path: <>\nDelivered-To: a@example.com\n', 'Subject: bounce\n\nsorry\n'));
});

t.test('a subdirectory pattern: one copy per recipient, with its own Delivered-To', async (t) => {
  const input = crlf(
    'HELO x',
    'MAIL FROM:<s@x.test>',
    'RCPT TO:<a@example.com>',
    'RCPT TO:<B+x@Example.com>',
    'RCPT TO:<c&d@example.com>',
    'DATA',
    ...MESSAGE,
    '.',
    'QUIT',
  );
  const r = await transcript(t, input, { config: { ...CONFIG, plugins: ['rcpt_ok', 'queue/maildir @WORK@/md %d/%l'] } });
  t.equal(r.lines[7], '250 Queued! <m1@x>');
  const copy = (sub: string): string => {
    const dir = join(r.dir, 'md', sub, 'new');
    const [name = ''] = readdirSync(dir);
    return readFileSync(join(dir, name), 'utf8');
  };
  const after = 'Subject: x\nMessage-Id: <m1@x>\n\nbody\n.dot\nlast\n';
  t.match(copy('example.com/a'), stored('Return-Path: <s@x.test>\nDelivered-To: a@example.com\n', after));
  // Case is kept; characters outside [-A-Za-z0-9+_.,@=] become "_" in the directory name only.
  t.match(copy('Example.com/B+x'), stored('Return-Path: <s@x.test>\nDelivered-To: B+x@Example.com\n', after));
  t.match(copy('example.com/c_d'), stored('Return-Path: <s@x.test>\nDelivered-To: c&d@example.com\n', after));

  const whole = await transcript(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: z', '', 'b', '.', 'QUIT'), {
    config: { ...CONFIG, plugins: ['rcpt_ok', 'queue/maildir @WORK@/md2 users/%u'] },
  });
  t.equal(readdirSync(join(whole.dir, 'md2/users/a@example.com/new')).length, 1, '%u is user@domain');
});

t.test('modes: exact, whatever the umask (as qpsmtpd sets its umask)', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: m', '', 'b', '.', 'QUIT');
  const cases: [string, string[]][] = [
    [
      'queue/maildir @WORK@/md %u 775',
      ['775 a@example.com/', '775 a@example.com/cur/', '775 a@example.com/new/', '664 a@example.com/new/<file>', '775 a@example.com/tmp/'],
    ],
    [
      'queue/maildir @WORK@/md %d/%l 750',
      ['750 example.com/', '750 example.com/a/', '750 example.com/a/cur/', '750 example.com/a/new/', '640 example.com/a/new/<file>', '750 example.com/a/tmp/'],
    ],
    // Without a pattern the mode cannot be given: 700 for directories made at start-up, 600 for files.
    ['queue/maildir @WORK@/md', ['700 cur/', '700 new/', '600 new/<file>', '700 tmp/']],
  ];
  for (const [line, wanted] of cases) {
    const r = await transcript(t, input, { config: { ...CONFIG, plugins: ['rcpt_ok', line] } });
    t.equal(r.lines[5], '250 Queued! ', line);
    t.same(tree(join(r.dir, 'md')), wanted, line);
    t.equal((statSync(join(r.dir, 'md')).mode & 0o777).toString(8), line.includes('%') ? line.slice(-3) : '700', `${line}: the top directory`);
  }
});

t.test('a broken configuration stops the start-up', async (t) => {
  const cases: [string, RegExp][] = [
    ['queue/maildir', /needs the maildir directory/],
    ['queue/maildir @WORK@/md users', /sub directory "users" has no %l, %d or %u/],
    ['queue/maildir @WORK@/md %u 7777', /mode "7777" is not an octal number/],
    ['queue/maildir @WORK@/md %u 789', /mode "789" is not an octal number/],
  ];
  for (const [line, error] of cases) {
    await t.rejects(runTranscript(crlf('QUIT'), { config: { plugins: line } }), error, line);
  }
});
