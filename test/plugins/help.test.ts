// help through dist/qpsmtpd. The replies were checked against Debian's
// qpsmtpd 0.94 (test/vectors/help*). Relative help paths are relative to the
// server's working directory, so some sessions run in a directory of their own.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BINARY, cleanEnv, replyLines } from '../helpers/e2e';
import { BYE, GREETING, crlf, pluginSession, pluginWorkDir } from '../helpers/plugin-session';

const USAGE = "214 Try 'HELP COMMAND' for getting help on COMMAND";
const NONE = (command: string): string => `214 No help available for SMTP command: ${command}`;
const INVALID = '502 Invalid command name';

/** A directory with the given files (name -> content; names may have subdirectories), removed at teardown. */
function directory(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-help-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** The help files most tests use. */
function helpFiles(t: Test): string {
  return directory(t, {
    mail: 'MAIL FROM:<address>\n  starts a transaction\n',
    rcpt: 'one line, no newline',
    blank: 'first\n\nthird\n',
    crlf: 'x\r\ny\r\n',
    utf8: 'Grüße\n',
    empty: '',
    'adir/file': 'a directory is not a help file',
    'long.txt': 'the long DATA help\nsecond line\n',
  });
}

/** One session: the commands and QUIT; returns the replies between greeting and 221, and stderr. */
async function session(t: Test, plugin: string, commands: string[], cwd?: string) {
  const input = crlf(...commands, 'QUIT');
  let lines: string[];
  let stderr: string;
  if (cwd === undefined) {
    ({ lines, stderr } = await pluginSession(t, input, { plugins: [plugin] }));
  } else {
    const work = pluginWorkDir(t, { plugins: [plugin] });
    const run = spawnSync(BINARY, work.args, { cwd, input, env: cleanEnv({ TCPREMOTEIP: '127.0.0.1' }), timeout: 10000 });
    lines = replyLines(run.stdout);
    stderr = run.stderr.toString();
  }
  t.equal(lines[0], GREETING);
  t.equal(lines[lines.length - 1], BYE);
  return { replies: lines.slice(1, -1), log: stderr.split('\n').filter((l) => / help: /.test(l)).map((l) => l.replace(/^\d+ /, '')) };
}

t.test('help_dir: one file per command, in lower case; multi-line replies', async (t) => {
  const dir = helpFiles(t);
  const r = await session(t, `help help_dir ${dir}`, [
    'HELP',
    'HELP MAIL',
    'HELP rcpt',
    'HELP blank',
    'HELP crlf',
    'HELP utf8',
    'HELP empty',
    'HELP adir',
    'HELP nosuch',
    'HELP 0',
    'HELP  Mail',
    'HELP mail from',
    'HELP MAIL ',
    'HELP ../mail',
    'HELP adir/file',
  ]);
  t.same(r.replies, [
    USAGE,
    '214-MAIL FROM:<address>',
    '214   starts a transaction',
    '214 one line, no newline',
    // Empty lines are left out (0.94 too).
    '214-first',
    '214 third',
    // qpsmtpd sent "x\r\r\n": reply lines are split at CRLF too.
    '214-x',
    '214 y',
    '214 Grüße',
    NONE('empty'),
    // A directory exists but cannot be read.
    NONE('adir'),
    NONE('nosuch'),
    // Perl's truth: "0" is no command.
    USAGE,
    '214-MAIL FROM:<address>',
    '214   starts a transaction',
    // Only one word of letters, digits and "_" becomes a file name.
    INVALID,
    INVALID,
    INVALID,
    INVALID,
  ]);
  t.match(r.log, [/^error \(help\) help: failed to open help file for adir: EISDIR/]);
  t.equal(r.log.length, 1);
});

t.test('without arguments help_dir is ./help/, in the working directory', async (t) => {
  const cwd = directory(t, { 'help/mail': 'mail help from ./help\n' });
  for (const plugin of ['help', 'help loglevel 6']) {
    const r = await session(t, plugin, ['HELP mail', 'HELP rcpt'], cwd);
    t.same(r.replies, ['214 mail help from ./help', NONE('rcpt')], plugin);
  }
  // Started elsewhere, the same config finds nothing.
  const elsewhere = directory(t, {});
  t.same((await session(t, 'help', ['HELP mail'], elsewhere)).replies, [NONE('mail')]);
});

t.test('<command> <file> pairs; with arguments there is no default help_dir', async (t) => {
  const dir = helpFiles(t);
  const cwd = directory(t, {
    'help/rset': 'rset help from ./help\n',
    'help/help/quit.txt': 'quit help from ./help/help\n',
    'help/noop.txt': 'noop help from ./help\n',
    'help/help/vrfy.txt': 'vrfy help from ./help/help\n',
    'help/vrfy.txt': 'vrfy help from ./help\n',
  });
  const plugin = `help DATA ${dir}/long.txt quit quit.txt noop noop.txt vrfy vrfy.txt expn ${dir}/missing mail bad$name rcpt ${dir}/adir`;
  const r = await session(t, plugin, ['HELP data', 'HELP QUIT', 'HELP noop', 'HELP vrfy', 'HELP expn', 'HELP mail', 'HELP rcpt', 'HELP rset', 'HELP'], cwd);
  t.same(r.replies, [
    '214-the long DATA help',
    '214 second line',
    // A bare name: help/help/<file> (where qpsmtpd looks), else help/<file> (its documentation).
    '214 quit help from ./help/help',
    '214 noop help from ./help',
    '214 vrfy help from ./help/help',
    // Dropped pairs, and no ./help/ fallback because the plugin has arguments.
    NONE('expn'),
    NONE('mail'),
    NONE('rcpt'),
    NONE('rset'),
    USAGE,
  ]);
  t.same(r.log.filter((l) => !l.includes('failed to open')), [
    "warn help: No help file for command 'expn'",
    'error help: Invalid characters in file name for mail',
  ]);
  t.match(r.log.filter((l) => l.includes('failed to open')), [/^error \(help\) help: failed to open help file for rcpt: EISDIR/]);
});

t.test('a pair wins over help_dir; a dropped pair falls back to help_dir', async (t) => {
  const dir = helpFiles(t);
  const r = await session(t, `help help_dir ${dir} mail ${dir}/long.txt rcpt ${dir}/missing`, ['HELP mail', 'HELP rcpt']);
  t.same(r.replies, ['214-the long DATA help', '214 second line', '214 one line, no newline']);
});

t.test('bad arguments are logged and skipped', async (t) => {
  const dir = helpFiles(t);
  const r = await session(t, `help help_dir ${dir} bad-key x help_dir`, ['HELP mail']);
  // A later value wins, as in qpsmtpd's hash of arguments: the last help_dir has none and is dropped.
  t.same(r.replies, [NONE('mail')]);
  t.same(r.log, ['error help: Invalid characters in file name for help_dir', "warn help: Invalid argument for the 'help' plugin bad-key"]);
});

t.test('not_implemented 1: every HELP gets 502', async (t) => {
  const dir = helpFiles(t);
  for (const value of ['1', 'yes']) {
    const r = await session(t, `help not_implemented ${value} help_dir ${dir}`, ['HELP', 'HELP mail', 'HELP ../x']);
    t.same(r.replies, ['502 Not implemented.', '502 Not implemented.', '502 Not implemented.'], value);
  }
  for (const value of ['0', '']) {
    const r = await session(t, `help help_dir ${dir} not_implemented ${value}`.trim(), ['HELP', 'HELP mail']);
    t.same(r.replies, [USAGE, '214-MAIL FROM:<address>', '214   starts a transaction'], `not_implemented "${value}"`);
  }
});

t.test('without the plugin the core answers', async (t) => {
  const r = await session(t, 'rcpt_ok', ['HELP mail']);
  t.match(r.replies, [/^214-This is qpsmtpd /, '214-See http://smtpd.develooper.com/', /^214 To report bugs/]);
});

t.test('--check lists the hook', async (t) => {
  const r = await pluginSession(t, '', { plugins: ['help not_implemented 1'], args: ['--check'] });
  t.equal(r.code, 0);
  t.ok(r.output.toString().split('\n').includes('  help not_implemented 1  [help, bundled]: help'));
});
