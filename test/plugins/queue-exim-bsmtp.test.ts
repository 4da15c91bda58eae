// queue/exim-bsmtp through dist/qpsmtpd against Debian's real Exim
// (exim4-daemon-light). Exim and Postfix conflict as Debian packages, so
// test/fixtures/install-exim.sh unpacks Exim's binary into /opt/exim4-test
// (or $EXIM_TEST_ROOT) instead of installing it; .ci/run calls it. Each test
// runs that binary (through a two-line wrapper that adds -C) with a private
// config: its own spool and log, and delivery into a Maildir in a temp dir,
// where the test reads what arrived. Exim's 4xx report and a hanging Exim
// cannot be had from the real one on demand: small scripts stand in there.

import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp, waitFor } from '../helpers/e2e';
import { crlf, pluginSession } from '../helpers/plugin-session';
import { bigMessageSession } from '../fixtures/big-message';
import { checkMessage, ourTrace, type Expected } from '../fixtures/queue-trace';

const EXIM = process.env.EXIM_TEST_ROOT ? join(process.env.EXIM_TEST_ROOT, 'usr/sbin/exim4') : '/opt/exim4-test/usr/sbin/exim4';
if (!existsSync(EXIM)) throw new Error(`${EXIM} is missing: run test/fixtures/install-exim.sh (.ci/run does)`);

// From and Date are in the message because Exim adds them to local mail that lacks them.
const LINES = [
  'Subject: exim test',
  'From: <s@x.test>',
  'Date: Sat, 21 Nov 2026 12:00:00 +0000',
  'Message-Id: <exim1@x.test>',
  '',
  'first line',
  '..a dotted line',
  '.',
  '',
  'L'.repeat(5000),
  'last',
];
const SENT = Buffer.concat([Buffer.from(crlf(...LINES.map((l) => (l === '.' ? '..' : l)))), Buffer.from('8bit \xe9 line\r\n', 'latin1')]);
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

interface Exim {
  /** The wrapper to give as exim_path: the real binary with this config. */
  path: string;
  /** The copies delivered to `recipient`. */
  delivered(recipient: string): Buffer[];
  waitForDelivery(recipient: string): Promise<Buffer>;
  log(): string;
}

/** A private Exim: config, spool, log and Maildir in a temp dir; `main` adds main-section lines. */
function privateExim(t: Test, main: string[] = []): Exim {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-exim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Exim's delivery runs as Debian-exim, which must reach the spool and the Maildir.
  chmodSync(dir, 0o755);
  const user = spawnSync('id', ['-u', 'Debian-exim'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'Debian-exim'], { encoding: 'utf8' });
  for (const sub of ['spool', 'log', 'maildir']) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), Number(user.stdout), Number(group.stdout));
  }
  const config = [
    `exim_path = ${EXIM}`,
    'primary_hostname = exim.test',
    'qualify_domain = exim.test',
    `spool_directory = ${dir}/spool`,
    `log_file_path = ${dir}/log/%slog`,
    'keep_environment =',
    'acl_not_smtp = check_message',
    ...main,
    'begin acl',
    'check_message:',
    '  deny condition = ${if forany{<, $recipients}{eq{$item}{refused@example.com}}}',
    '       message = 5.7.1 we do not take this',
    '  accept',
    'begin routers',
    'everyone:',
    '  driver = accept',
    '  transport = to_maildir',
    'begin transports',
    'to_maildir:',
    '  driver = appendfile',
    `  directory = ${dir}/maildir`,
    '  maildir_format',
    '  create_directory',
    '  user = Debian-exim',
    '  envelope_to_add',
    '  return_path_add',
  ];
  writeFileSync(join(dir, 'exim.conf'), `${config.join('\n')}\n`);
  const wrapper = join(dir, 'exim');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${EXIM} -C ${dir}/exim.conf "$@"\n`, { mode: 0o755 });
  const delivered = (recipient: string): Buffer[] => {
    const newDir = join(dir, 'maildir', 'new');
    if (!existsSync(newDir)) return [];
    const mark = Buffer.from(`\nEnvelope-to: ${recipient}\n`);
    return readdirSync(newDir)
      .map((name) => readFileSync(join(newDir, name)))
      .filter((file) => file.subarray(0, 2000).includes(mark));
  };
  const log = (): string => (existsSync(join(dir, 'log', 'mainlog')) ? readFileSync(join(dir, 'log', 'mainlog'), 'utf8') : '');
  return {
    path: wrapper,
    delivered,
    waitForDelivery: (recipient) => waitFor(`a copy for ${recipient} (exim log:\n${log()})`, () => delivered(recipient)[0], 60000),
    log,
  };
}

/**
 * Exim's lines in front of a delivered copy: appendfile's Return-path and
 * Envelope-to, then its Received, which names the sender unless it is <>,
 * and the recipient when there is only one.
 */
function eximPrefix(sender: string, recipient: string, single: boolean): string {
  return (
    escapeRegExp(`Return-path: <${sender}>\nEnvelope-to: ${recipient}\nReceived: from root (helo=${hostname()})\n\tby exim.test with local-bsmtp (Exim `) +
    '[\\d.]+\\)\\n\\t' +
    (sender ? escapeRegExp(`(envelope-from <${sender}>)\n\t`) : '') +
    'id [-0-9A-Za-z]+' +
    (single ? escapeRegExp(`\n\tfor ${recipient}`) : '') +
    `;\\n\\t${DATE_PATTERN}\\n`
  );
}

function checkCopy(t: Test, file: Buffer | undefined, sender: string, recipient: string, single: boolean, message: Expected = STORED, helo = 'x'): void {
  checkMessage(t, recipient, file, `${eximPrefix(sender, recipient, single)}${ourTrace(helo)}`, message);
}

const plugins = (path: string, extra = ''): string[] => ['rcpt_ok', `queue/exim-bsmtp exim_path ${path}${extra}`];

t.test('two recipients: both copies arrive byte for byte, with the envelope', async (t) => {
  const exim = privateExim(t);
  const r = await pluginSession(t, session('s@x.test', ['a@example.com', 'b@example.com']), { plugins: plugins(exim.path) });
  t.equal(r.lines[6], '250 Queued!');
  checkCopy(t, await exim.waitForDelivery('a@example.com'), 's@x.test', 'a@example.com', false);
  checkCopy(t, await exim.waitForDelivery('b@example.com'), 's@x.test', 'b@example.com', false);
});

t.test('the null sender', async (t) => {
  const exim = privateExim(t);
  const r = await pluginSession(t, session('', ['a@example.com']), { plugins: plugins(exim.path) });
  t.equal(r.lines[5], '250 Queued!');
  checkCopy(t, await exim.waitForDelivery('a@example.com'), '', 'a@example.com', true);
});

t.test("Exim's refusals come back with its text", async (t) => {
  t.test('a 5xx from its ACL: DENY', async (t) => {
    const exim = privateExim(t);
    const r = await pluginSession(t, session('s@x.test', ['a@example.com', 'refused@example.com']), { plugins: plugins(exim.path) });
    t.equal(r.lines[6], '552 5.7.1 we do not take this');
    t.same(exim.delivered('a@example.com'), [], 'nothing delivered');
  });
  t.test('a message above its message_size_limit: DENY', async (t) => {
    const exim = privateExim(t, ['message_size_limit = 1K']);
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: plugins(exim.path) });
    t.equal(r.lines[5], '552 Message size exceeds maximum permitted');
  });
  t.test('a full disk (its spool space check fails): DENYSOFT', async (t) => {
    const exim = privateExim(t, ['check_spool_space = 100000G']);
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: plugins(exim.path) });
    t.equal(r.lines[5], '452 Unable to queue message (exim exited with status 1: exim: insufficient disk space)');
  });
  t.test('a 4xx report (a stand-in script: real Exim gives none on demand): DENYSOFT', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-fake-exim-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const fake = join(dir, 'exim');
    writeFileSync(fake, "#!/bin/sh\ncat >/dev/null\necho '451 4.3.0 local problem, try later'\necho 'Transaction started in line 1'\nexit 2\n", { mode: 0o755 });
    const r = await pluginSession(t, session('s@x.test', ['a@example.com']), { plugins: plugins(fake) });
    t.equal(r.lines[5], '452 4.3.0 local problem, try later');
  });
});

t.test('failures of Exim itself', async (t) => {
  const message = session('s@x.test', ['a@example.com']);
  t.test('not installed where exim_path says', async (t) => {
    const r = await pluginSession(t, message, { plugins: plugins('/nonexistent/rsmtp') });
    t.equal(r.lines[5], '452 Unable to queue message (cannot run /nonexistent/rsmtp: no such file or directory)');
    t.match(r.stderr, 'Could not find exim at /nonexistent/rsmtp; please set exim_path in config/plugins', 'said at start-up');
  });
  t.test('the default /usr/sbin/rsmtp (not installed here: postfix is)', async (t) => {
    const r = await pluginSession(t, message, { plugins: ['rcpt_ok', 'queue/exim-bsmtp'] });
    t.equal(r.lines[5], '452 Unable to queue message (cannot run /usr/sbin/rsmtp: no such file or directory)');
  });
  t.test('an Exim that hangs is killed after the timeout (a stand-in script)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-fake-exim-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const fake = join(dir, 'exim');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const r = await pluginSession(t, message, { plugins: plugins(fake, ' timeout 1') });
    t.equal(r.lines[5], '452 Unable to queue message (exim did not exit within 1 s)');
  });
  t.test('an Exim killed by a signal', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-fake-exim-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const fake = join(dir, 'exim');
    writeFileSync(fake, '#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n', { mode: 0o755 });
    const r = await pluginSession(t, message, { plugins: plugins(fake) });
    t.equal(r.lines[5], '452 Unable to queue message (exim was killed by SIGSEGV)');
  });
});

t.test('a 200 MB message is streamed: peak RSS under 100 MB, delivered byte for byte', async (t) => {
  const exim = privateExim(t, ['message_size_limit = 0']);
  const r = await bigMessageSession(t, {
    plugins: plugins(exim.path),
    config: { databytes: '0' },
    sender: 's@x.test',
    recipients: ['big@example.com'],
    megabytes: 200,
  });
  t.equal(r.lines[5], '250 Queued!');
  t.ok(r.peakKb < 100 * 1024, `peak RSS ${Math.round(r.peakKb / 1024)} MB`);
  checkCopy(t, await exim.waitForDelivery('big@example.com'), 's@x.test', 'big@example.com', true, r, 'big.test');
});
