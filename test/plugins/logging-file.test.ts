// logging/file through dist/qpsmtpd: the line format of qpsmtpd's plugin
// ("<time> <host>[<pid>]: <message>", checked against Debian's qpsmtpd 0.94),
// loglevel, tsformat, strftime names and %i in the path, nosplit, reopen,
// |commands, several instances, and start-up failures. strftime itself is
// tested in test/unit/strftime.test.ts.

import { existsSync, readFileSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LOGALERT, LOGCRIT, LOGDEBUG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { strftime } from '../../src/util/strftime';
import { FIXTURE_ARGS, logLines } from '../helpers/logging';
import { BYE, BinaryClient, GREETING, HELO_OK, ME, crlf, pluginSession, type PluginSessionOptions } from '../helpers/plugin-session';

process.env.TZ = 'UTC';

const HOST = hostname();
const INPUT = crlf('HELO x', 'QUIT');
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

async function session(t: Test, logging: string | string[], plugins: string[] = [], input = INPUT, options: PluginSessionOptions = {}) {
  const r = await pluginSession(t, input, { config: { logging }, plugins, args: FIXTURE_ARGS, env: { TZ: 'UTC' }, ...options });
  t.same(r.lines.slice(0, 2), [GREETING, HELO_OK], 'the session itself is not disturbed');
  return r;
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

/** A file's lines with "<host>[<pid>]:" as "H:" (the pid is the server's, the same on every line). */
function lines(text: string): string[] {
  const pid = new RegExp(` ${HOST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[(\\d+)\\]: `).exec(text)?.[1];
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(` ${HOST}[${pid}]: `, ' H: '));
}

t.test('the line format; the level filter; one line per record', async (t) => {
  const r = await session(t, 'logging/file loglevel LOGCRIT tsformat T @WORK@/q.log', [
    logLines('connect', [LOGALERT, 'alert line'], [LOGERROR, 'error line'], [LOGCRIT, 'two\nlines']),
  ]);
  t.equal(r.stderr, '', 'nothing on stderr: the core fallback is off');
  const text = read(r.work.dir, 'q.log');
  t.match(text, new RegExp(`^T ${HOST}\\[\\d+\\]: alert line\n`), '"<tsformat> <hostname>[<pid>]: <message>"');
  t.same(lines(text), ['T H: alert line', 'T H: two\\nlines']);
});

t.test('the default time stamp is scalar localtime with a zero-padded day', async (t) => {
  const before = new Date();
  const r = await session(t, 'logging/file loglevel 1 @WORK@/q.log', [logLines('connect', [LOGALERT, 'stamped'])]);
  const after = new Date();
  const stamps = [before, after].map((d) => `${strftime('%a %b %d %H:%M:%S %Y', d)} H: stamped`);
  const [line = ''] = lines(read(r.work.dir, 'q.log'));
  t.ok(stamps.includes(line), `${JSON.stringify(line)} is one of ${JSON.stringify(stamps)}`);
});

t.test('loglevel: a number, a LOG name or a short name, any case; LOGWARN by default', async (t) => {
  const records = logLines('connect', [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGINFO, 'info'], [LOGDEBUG, 'debug']);
  const cases: [string, string[]][] = [
    ['', ['warn']],
    ['loglevel 5', ['warn', 'notice']],
    ['loglevel LOGNOTICE', ['warn', 'notice']],
    ['loglevel NOTICE', ['warn', 'notice']],
    ['LOGLEVEL 7', ['warn', 'notice', 'info', 'debug']],
  ];
  for (const [args, wanted] of cases) {
    const r = await session(t, `logging/file ${args} tsformat - @WORK@/q.log`, [records]);
    const mine = lines(read(r.work.dir, 'q.log')).filter((l) => / (warn|notice|info|debug)$/.test(l));
    t.same(mine, wanted.map((m) => `- H: ${m}`), args || 'no loglevel');
  }
});

t.test('tsformat: any strftime format', async (t) => {
  const before = new Date();
  const r = await session(t, 'logging/file loglevel 1 tsformat %Y-%%-%m.%j @WORK@/q.log', [logLines('connect', [LOGALERT, 'formatted'])]);
  const stamps = [before, new Date()].map((d) => `${strftime('%Y-%%-%m.%j', d)} H: formatted`);
  const [line = ''] = lines(read(r.work.dir, 'q.log'));
  t.ok(stamps.includes(line), `${JSON.stringify(line)} is one of ${JSON.stringify(stamps)}`);
});

t.test('%i: one file for the whole connection, named by the session', async (t) => {
  const r = await session(t, 'logging/file loglevel LOGINFO tsformat T @WORK@/s-%i.log', [], crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RSET', 'MAIL FROM:<d@e.f>', 'QUIT'));
  const files = r.work.list('.').filter((f) => f.startsWith('s-'));
  t.equal(files.length, 1, 'one file');
  const [name = ''] = files;
  const m = /^s-(\d{10})-(\d+)-1\.log$/.exec(name);
  t.ok(m, `${name} is s-<time>-<pid>-1.log`);
  t.ok(Math.abs(Number(m?.[1]) - Date.now() / 1000) < 60, 'the time is now');
  const log = read(r.work.dir, name);
  t.match(log, ` ${HOST}[${m?.[2]}]: `, 'the pid in the name is the server\'s');
  // qpsmtpd 0.94 lost the session id at the first MAIL and went on in s-parent.log.
  const all = lines(log);
  for (const line of ['T H: Connection from [127.0.0.1] [127.0.0.1]', 'T H: dispatching HELO x', 'T H: dispatching MAIL FROM:<d@e.f>', 'T H: dispatching QUIT']) {
    t.ok(all.includes(line), line);
  }
});

t.test('strftime patterns in the path', async (t) => {
  const before = strftime('%Y-%m-%d', new Date());
  const r = await session(t, 'logging/file loglevel 1 tsformat T @WORK@/q.%Y-%m-%d.log', [logLines('connect', [LOGALERT, 'dated'])]);
  const after = strftime('%Y-%m-%d', new Date());
  const files = r.work.list('.').filter((f) => f.startsWith('q.'));
  t.ok([`q.${before}.log`, `q.${after}.log`].includes(files.at(-1) ?? ''), files.join(','));
  t.same(lines(read(r.work.dir, files.at(-1)!)), ['T H: dated']);
});

/** NOOP (log_probe logs "level 0" .. "level 7"), then NOOP again once the clock shows the next second. */
async function acrossASecond(t: Test, logging: string): Promise<string[]> {
  const client = new BinaryClient(t, { config: { logging }, plugins: ['log_probe'], args: FIXTURE_ARGS });
  t.same(await client.reply(), [GREETING]);
  const start = new Date().getSeconds();
  t.same(await client.command('NOOP'), ['250 OK']);
  while (new Date().getSeconds() === start) await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(await client.command('NOOP'), ['250 OK']);
  t.same(await client.command('QUIT'), [BYE]);
  await client.exited;
  return client.work
    .list('.')
    .filter((f) => f.startsWith('sec-'))
    .map((f) => read(client.work.dir, f))
    .filter((text) => text !== '')
    .map((text) => lines(text).join(' / '))
    .sort();
}

t.test('the output follows its name as time passes', async (t) => {
  t.same(await acrossASecond(t, 'logging/file loglevel 1 tsformat T @WORK@/sec-%S.log'), [
    'T H: level 0 / T H: level 1',
    'T H: level 0 / T H: level 1',
  ]);
});

t.test('nosplit: the first line fixes the output for the connection', async (t) => {
  t.same(await acrossASecond(t, 'logging/file loglevel 1 nosplit tsformat T @WORK@/sec-%S.log'), [
    'T H: level 0 / T H: level 1 / T H: level 0 / T H: level 1',
  ]);
});

/** Moves q.log away once the server has opened it (as logrotate would), then has a line logged. */
async function rotated(t: Test, logging: string): Promise<string> {
  const client = new BinaryClient(t, { config: { logging }, plugins: ['log_probe'], args: FIXTURE_ARGS });
  t.same(await client.reply(), [GREETING]);
  renameSync(join(client.work.dir, 'q.log'), join(client.work.dir, 'q.log.1'));
  t.same(await client.command('NOOP'), ['250 OK']);
  t.same(await client.command('QUIT'), [BYE]);
  await client.exited;
  return client.work.dir;
}

t.test('reopen: the first line of the connection opens the file afresh', async (t) => {
  const kept = await rotated(t, 'logging/file loglevel 0 tsformat T @WORK@/q.log');
  t.same(lines(read(kept, 'q.log.1')), ['T H: level 0'], 'without reopen: still the file opened at start-up');
  t.notOk(existsSync(join(kept, 'q.log')));

  const reopened = await rotated(t, 'logging/file loglevel 0 reopen tsformat T @WORK@/q.log');
  t.equal(read(reopened, 'q.log.1'), '', 'with reopen: the old file is left alone');
  t.same(lines(read(reopened, 'q.log')), ['T H: level 0']);
});

t.test('|command: the lines go to its stdin; the session waits for it at the end', async (t) => {
  const r = await session(
    t,
    [
      'logging/file loglevel 1 tsformat T |cat > @WORK@/pipe.log',
      // Nothing at level 0 is logged, so this command never starts.
      'logging/file:2 loglevel 0 | touch @WORK@/started',
    ],
    [logLines('connect', [LOGALERT, 'one'], [LOGALERT, 'two'])],
  );
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.same(lines(read(r.work.dir, 'pipe.log')), ['T H: one', 'T H: two']);
  t.notOk(existsSync(join(r.work.dir, 'started')), 'a command starts only when there is a line for it');
});

t.test('|command with strftime names: the command line is expanded too', async (t) => {
  const r = await session(t, 'logging/file loglevel 1 tsformat T |cat > @WORK@/pipe-%Y.log', [logLines('connect', [LOGALERT, 'dated'])]);
  const files = r.work.list('.').filter((f) => f.startsWith('pipe-'));
  t.same(files.map((f) => /^pipe-\d{4}\.log$/.test(f)), [true], files.join(','));
  t.same(lines(read(r.work.dir, files[0]!)), ['T H: dated']);
});

t.test("a command's own messages reach stderr (passed on, not inherited: under inetd stderr is the client)", async (t) => {
  const r = await session(t, 'logging/file loglevel 1 |echo complaint >&2; cat >/dev/null', [logLines('connect', [LOGALERT, 'one'])]);
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(r.stderr, 'complaint\n');
});

t.test('a command that exits early does not disturb the session', async (t) => {
  const r = await session(t, 'logging/file loglevel 1 |exit 0', [logLines('connect', [LOGALERT, `line ${'x'.repeat(100)}`, 2000])]);
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(r.code, 0);
});

t.test('a command that does not read: lines are dropped once 1 MiB waits, with one warning', async (t) => {
  const r = await session(t, 'logging/file loglevel 1 |sleep 1', [logLines('connect', [LOGALERT, 'x'.repeat(1000), 1500])]);
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.same(r.stderr.replace(/^\d+ /gm, 'P ').split('\n'), [
    'P logging/file: log command "sleep 1" is not reading; dropping lines',
    // The end of the session waits for it; it exits without having read what was still waiting.
    'P logging/file: log command "sleep 1" failed: write EPIPE',
    '',
  ]);
});

t.test('a file that cannot be written (a full disk: /dev/full): the session goes on, one warning', async (t) => {
  const r = await session(t, 'logging/file loglevel 1 /dev/full', [logLines('connect', [LOGALERT, 'lost', 20])]);
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.same(r.stderr.replace(/^\d+ /gm, 'P '), 'P logging/file: cannot write log output /dev/full: ENOSPC: no space left on device, write\n');
});

t.test('several instances (logging/file:N) write their own outputs', async (t) => {
  const r = await session(t, ['logging/file:1 loglevel 1 tsformat A @WORK@/alert.log', 'logging/file:2 loglevel 3 tsformat E @WORK@/error.log'], [
    logLines('connect', [LOGALERT, 'alert'], [LOGERROR, 'error'], [LOGWARN, 'warn']),
  ]);
  t.same(lines(read(r.work.dir, 'alert.log')), ['A H: alert']);
  t.same(lines(read(r.work.dir, 'error.log')), ['E H: alert', 'E H: error']);
});

t.test('a broken configuration stops the start-up', async (t) => {
  const cases: [string, RegExp][] = [
    ['logging/file @WORK@/no/such/dir/q.log', /cannot open log output .*no\/such\/dir\/q\.log/],
    ['logging/file', /no file or \|command given/],
    ['logging/file loglevel LOGINFO', /no file or \|command given/],
    ['logging/file |', /no command after "\|"/],
    ['logging/file loglevel', /loglevel needs a value/],
    ['logging/file loglevel LOGNONSENSE @WORK@/q.log', /not a log level: LOGNONSENSE/],
    ['logging/file tsformat', /tsformat needs a value/],
  ];
  for (const [line, error] of cases) {
    const r = await pluginSession(t, INPUT, { config: { logging: line } });
    t.same(r.lines, [UNAVAILABLE], line);
    t.match(r.stderr, error, line);
  }
});
