// logging/syslog through dist/qpsmtpd, against a real rsyslogd (Debian's
// rsyslog) started with a private config: a unix datagram socket (imuxsock,
// as /dev/log is), a unix stream socket (imptcp), UDP (imudp) and TCP
// (imtcp) on free loopback ports, every message written to a file through a
// template that shows facility, severity, tag and message, and the raw frame.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LOGALERT, LOGCRIT, LOGDEBUG, LOGEMERG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { freePort, requireProgram, waitFor } from '../helpers/e2e';
import { FIXTURE_ARGS, logLines, serverPid } from '../helpers/logging';
import { BYE, BinaryClient, GREETING, HELO_OK, ME, crlf, pluginSession } from '../helpers/plugin-session';

const RSYSLOGD = requireProgram('rsyslogd', 'rsyslog');
const LOGGER = requireProgram('logger', 'bsdutils');
const INPUT = crlf('HELO x', 'QUIT');
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const EVERY_LEVEL = logLines(
  'helo',
  [LOGEMERG, 'emerg'],
  [LOGALERT, 'alert'],
  [LOGCRIT, 'crit'],
  [LOGERROR, 'error'],
  [LOGWARN, 'warn'],
  [LOGNOTICE, 'notice'],
  [LOGINFO, 'info'],
  [LOGDEBUG, 'debug'],
);

interface Rsyslog {
  dir: string;
  /** imuxsock: a unix datagram socket, as /dev/log. */
  dgram: string;
  /** imptcp: a unix stream socket. */
  stream: string;
  udp: number;
  tcp: number;
  process: ChildProcess;
  /** The lines written so far with our tag or another: "<facility>.<severity> <tag><message>". */
  lines(): string[];
  /** The raw frames received (for the time stamp and host name). */
  raw(): string[];
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Starts a private rsyslogd, waits until each input has passed a probe line through, stops it at teardown. */
async function startRsyslog(t: Test): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-rsyslog-'));
  const [udp, tcp] = [await freeUdpPort(), await freePort()];
  const dgram = join(dir, 'log.sock');
  const stream = join(dir, 'stream.sock');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${dgram}")`,
      'module(load="imptcp")',
      `input(type="imptcp" path="${stream}")`,
      'module(load="imudp")',
      `input(type="imudp" address="127.0.0.1" port="${udp}")`,
      'module(load="imtcp")',
      `input(type="imtcp" address="127.0.0.1" port="${tcp}")`,
      'template(name="line" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\\n")',
      'template(name="raw" type="string" string="%rawmsg%\\n")',
      `if $programname != 'rsyslogd' then { action(type="omfile" file="${dir}/out.log" template="line") action(type="omfile" file="${dir}/raw.log" template="raw") }`,
      '',
    ].join('\n'),
  );
  const child = spawn(RSYSLOGD, ['-f', conf, '-i', join(dir, 'rsyslogd.pid'), '-n'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const read = (name: string): string[] => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l !== '') : []);
  const rsyslog: Rsyslog = { dir, dgram, stream, udp, tcp, process: child, lines: () => read('out.log'), raw: () => read('raw.log') };
  await waitFor(`rsyslogd's sockets (${errors})`, () => existsSync(dgram) && existsSync(stream));
  for (const input of ['dgram', 'stream', 'udp', 'tcp'] as const) await arrival(rsyslog, input, `ready ${input}`);
  return rsyslog;
}

type Input = 'dgram' | 'stream' | 'udp' | 'tcp';

/** Sends a line with the tag "probe" through an input (again every half second) until rsyslogd has written it. */
async function arrival(rsyslog: Rsyslog, input: Input, text: string): Promise<void> {
  let sent = 0;
  await waitFor(`"${text}" through ${input}`, () => {
    if (Date.now() - sent > 500) {
      probe(rsyslog, input, text);
      sent = Date.now();
    }
    return rsyslog.lines().some((line) => line.endsWith(` probe: ${text}`));
  });
}

function probe(rsyslog: Rsyslog, input: Input, text: string): void {
  const frame = `<13>Jan  1 00:00:00 probe: ${text}`;
  if (input === 'dgram') spawnSync(LOGGER, ['--socket', rsyslog.dgram, '--tag', 'probe', text]);
  if (input === 'udp') {
    const socket = createSocket('udp4');
    socket.send(frame, rsyslog.udp, '127.0.0.1', () => socket.close());
  }
  if (input === 'stream' || input === 'tcp') {
    const socket = input === 'stream' ? connect(rsyslog.stream) : connect(rsyslog.tcp, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.end(`${frame}\n`);
  }
}

/** Waits until a probe sent now through `input` has arrived: every line sent before it has too. */
async function fence(rsyslog: Rsyslog, input: Input): Promise<void> {
  await arrival(rsyslog, input, `fence ${Math.random()}`);
}

interface Syslogged {
  /** The session's lines as rsyslog wrote them, the server's pid as "PID". */
  lines: string[];
  /** The frames as rsyslog received them, the pid as "PID". */
  raw: string[];
  /** stderr without logging/warn's LOGEMERG lines (which tell the pid). */
  stderr: string;
}

/**
 * One session with these config/logging lines (logging/warn LOGEMERG added:
 * its stderr line tells the server's pid, which marks the session's lines in
 * rsyslog's file); waits for `count` of them, then for a fence through `input`.
 */
async function syslogged(t: Test, rsyslog: Rsyslog, logging: string, input: Input, count: number, plugins = [EVERY_LEVEL]): Promise<Syslogged> {
  const r = await pluginSession(t, INPUT, { config: { logging: [logging, 'logging/warn LOGEMERG'] }, plugins, args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, BYE], 'the session itself is not disturbed');
  const pid = serverPid(r.stderr);
  const mark = `[${pid}]: `;
  const mine = (lines: string[]): string[] => lines.filter((line) => line.includes(mark)).map((line) => line.replace(mark, '[PID]: '));
  await waitFor(`${count} lines in rsyslog's file`, () => mine(rsyslog.lines()).length >= count);
  await fence(rsyslog, input);
  return { lines: mine(rsyslog.lines()), raw: mine(rsyslog.raw()), stderr: r.stderr.replace(new RegExp(`^${pid} \\(\\w+\\) log_lines: .*\n`, 'gm'), '') };
}

const WARN_AND_ABOVE = [
  'mail.emerg qpsmtpd[PID]: emerg',
  'mail.alert qpsmtpd[PID]: alert',
  'mail.crit qpsmtpd[PID]: crit',
  'mail.err qpsmtpd[PID]: error',
  'mail.warning qpsmtpd[PID]: warn',
];
/** "Mmm dd hh:mm:ss", the day padded with a space. */
const STAMP = '[A-Z][a-z]{2} [ 123]\\d \\d\\d:\\d\\d:\\d\\d';

t.test('against a real rsyslogd', async (t) => {
  const rsyslog = await startRsyslog(t);

  t.test('defaults: LOGWARN and above, facility mail, ident qpsmtpd, the message alone', async (t) => {
    const r = await syslogged(t, rsyslog, `logging/syslog logsock unix:${rsyslog.dgram}`, 'dgram', 5);
    t.same(r.lines, WARN_AND_ABOVE);
    t.equal(r.stderr, '', 'nothing else on stderr');
    t.match(r.raw[3], new RegExp(`^<19>${STAMP} qpsmtpd\\[PID\\]: error$`), "a unix socket gets syslog(3)'s frame, without a host name");
  });

  t.test('loglevel: every level has its syslog severity', async (t) => {
    const all = await syslogged(t, rsyslog, `logging/syslog loglevel LOGDEBUG logsock unix:${rsyslog.dgram}`, 'dgram', 8);
    const fromLogLines = all.lines.filter((line) => /: (emerg|alert|crit|error|warn|notice|info|debug)$/.test(line));
    t.same(fromLogLines, [...WARN_AND_ABOVE, 'mail.notice qpsmtpd[PID]: notice', 'mail.info qpsmtpd[PID]: info', 'mail.debug qpsmtpd[PID]: debug']);
    t.ok(all.lines.includes('mail.debug qpsmtpd[PID]: log_lines'), "the hook runner's lines: the plugin's name alone, as qpsmtpd sends them");
    t.ok(all.lines.includes('mail.info qpsmtpd[PID]: dispatching QUIT'), "the core's lines too");
    const some = await syslogged(t, rsyslog, `logging/syslog loglevel 2 logsock unix:${rsyslog.dgram}`, 'dgram', 3);
    t.same(some.lines, WARN_AND_ABOVE.slice(0, 3));
  });

  t.test('priority: every line at one severity (a name, with or without LOG_, or a number); a PRI number sets the facility too', async (t) => {
    const cases: [string, string][] = [
      ['LOG_NOTICE', 'mail.notice'],
      ['info', 'mail.info'],
      ['LOGERROR', 'mail.err'],
      ['6', 'mail.info'],
      ['13', 'user.notice'],
      ['0', 'mail.emerg'],
    ];
    for (const [priority, where] of cases) {
      const r = await syslogged(t, rsyslog, `logging/syslog priority ${priority} logsock unix:${rsyslog.dgram}`, 'dgram', 5);
      t.same(r.lines, ['emerg', 'alert', 'crit', 'error', 'warn'].map((m) => `${where} qpsmtpd[PID]: ${m}`), `priority ${priority}`);
    }
  });

  t.test('ident and facility', async (t) => {
    const r = await syslogged(t, rsyslog, `logging/syslog ident qp-smtpd.2 facility LOG_LOCAL3 loglevel LOGALERT logsock unix:${rsyslog.dgram}`, 'dgram', 2);
    t.same(r.lines, ['local3.emerg qp-smtpd.2[PID]: emerg', 'local3.alert qp-smtpd.2[PID]: alert']);
    for (const [facility, text] of [['daemon', 'daemon'], ['LOCAL0', 'local0'], ['user', 'user']]) {
      const f = await syslogged(t, rsyslog, `logging/syslog facility ${facility} loglevel 0 logsock unix:${rsyslog.dgram}`, 'dgram', 1);
      t.same(f.lines, [`${text}.emerg qpsmtpd[PID]: emerg`], `facility ${facility}`);
    }
  });

  t.test('logsock: a unix stream socket, UDP and TCP, with RFC 3164 frames (the host name for network peers)', async (t) => {
    const host = hostname();
    const cases: [string, Input, RegExp][] = [
      [`stream:${rsyslog.stream}`, 'stream', new RegExp(`^<19>${STAMP} qpsmtpd\\[PID\\]: error$`)],
      [`udp:127.0.0.1:${rsyslog.udp}`, 'udp', new RegExp(`^<19>${STAMP} ${host} qpsmtpd\\[PID\\]: error$`)],
      [`tcp:127.0.0.1:${rsyslog.tcp}`, 'tcp', new RegExp(`^<19>${STAMP} ${host} qpsmtpd\\[PID\\]: error$`)],
      [`udp:localhost:${rsyslog.udp}`, 'udp', new RegExp(`^<19>${STAMP} ${host} qpsmtpd\\[PID\\]: error$`)],
      [`unix,${rsyslog.dgram}`, 'dgram', new RegExp(`^<19>${STAMP} qpsmtpd\\[PID\\]: error$`)],
      [`native:${rsyslog.dgram}`, 'dgram', new RegExp(`^<19>${STAMP} qpsmtpd\\[PID\\]: error$`)],
      // syslog-ng's unix-stream: logger writes to stream sockets too.
      [`unix:${rsyslog.stream}`, 'stream', new RegExp(`^<19>${STAMP} qpsmtpd\\[PID\\]: error$`)],
    ];
    for (const [logsock, input, frame] of cases) {
      const r = await syslogged(t, rsyslog, `logging/syslog logsock ${logsock}`, input, 5);
      t.same(r.lines, WARN_AND_ABOVE, logsock);
      t.match(r.raw[3], frame, `${logsock}: the frame`);
    }
  });

  t.test('logsock: a list is tried in order; inet is tcp, then udp', async (t) => {
    const closed = await freePort();
    const cases: [string, Input][] = [
      [`unix:${join(rsyslog.dir, 'none.sock')},tcp:127.0.0.1:${closed},udp:127.0.0.1:${rsyslog.udp}`, 'udp'],
      [`udp:127.0.0.1:${rsyslog.udp},tcp:127.0.0.1:${rsyslog.tcp}`, 'udp'],
      [`inet:127.0.0.1:${rsyslog.tcp}`, 'tcp'],
      [`stream:${rsyslog.dgram},unix:${rsyslog.dgram}`, 'dgram'],
    ];
    for (const [logsock, input] of cases) {
      const r = await syslogged(t, rsyslog, `logging/syslog logsock ${logsock}`, input, 5);
      t.same(r.lines, WARN_AND_ABOVE, logsock);
      t.equal(r.stderr, '', `${logsock}: no warning when one of them works`);
    }
  });

  t.test('without logger (util-linux): one warning, the session goes on', async (t) => {
    // A PATH with node only (dist/qpsmtpd starts with "#!/usr/bin/env node").
    const bin = mkdtempSync(join(tmpdir(), 'qpsmtpd-path-'));
    t.teardown(() => rmSync(bin, { recursive: true, force: true }));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await pluginSession(t, INPUT, {
      config: { logging: `logging/syslog logsock unix:${rsyslog.dgram}` },
      plugins: [EVERY_LEVEL],
      args: FIXTURE_ARGS,
      env: { PATH: bin },
    });
    t.same(r.lines, [GREETING, HELO_OK, BYE]);
    t.same(r.stderr.replace(/^\d+ /gm, 'P '), `P logging/syslog: unix ${rsyslog.dgram}: cannot run logger (util-linux): spawn logger ENOENT; dropping log lines\n`);
  });

  t.test("a start-up failure's line still arrives through logger, though the server exits at once", async (t) => {
    const r = await pluginSession(t, INPUT, { config: { logging: `logging/syslog logsock unix:${rsyslog.dgram}` }, plugins: ['no_such_plugin'] });
    t.same(r.lines, [UNAVAILABLE]);
    t.equal(r.code, 1);
    const line = /^mail\.crit qpsmtpd\[\d+\]: start-up failed: Plugin no_such_plugin not found in our plugin dirs/;
    t.ok(await waitFor('the start-up failure in the log', () => rsyslog.lines().some((l) => line.test(l))));
  });

  t.test('syslog going away in the middle of the session: one warning, the session goes on', async (t) => {
    const own = await startRsyslog(t);
    const client = new BinaryClient(t, { config: { logging: `logging/syslog logsock unix:${own.dgram}` }, plugins: ['log_probe'], args: FIXTURE_ARGS });
    t.same(await client.reply(), [GREETING]);
    t.same(await client.command('NOOP'), ['250 OK']);
    await waitFor('the first NOOP\'s lines', () => own.lines().filter((l) => l.includes(': level ')).length === 5);
    own.process.kill('SIGTERM');
    await new Promise((resolve) => own.process.once('exit', resolve));
    for (let i = 0; i < 3; i++) t.same(await client.command('NOOP'), ['250 OK']);
    t.same(await client.command('QUIT'), [BYE]);
    t.equal(await client.exited, 0);
    t.match(client.stderr, new RegExp(`^\\d+ logging/syslog: unix ${own.dgram}: logger (exited|failed) \\(.+\\); dropping log lines\n$`));
  });

  t.test('syslog that stopped reading: the session is not held up; logger is stopped at the end', async (t) => {
    const own = await startRsyslog(t);
    own.process.kill('SIGSTOP');
    // More datagrams than a unix socket queues, so logger blocks on the full socket.
    const r = await pluginSession(t, crlf('HELO x', 'QUIT'), {
      config: { logging: `logging/syslog logsock unix:${own.dgram}` },
      plugins: [logLines('helo', [LOGWARN, 'x'.repeat(200), 3000])],
      args: FIXTURE_ARGS,
    });
    own.process.kill('SIGCONT');
    t.same(r.lines, [GREETING, HELO_OK, BYE]);
    t.equal(r.code, 0);
    t.match(r.stderr, /^\d+ logging\/syslog: logger did not finish within 2000 ms; the last lines may be lost\n$/);
  });
});

t.test('syslog cannot be reached: the session is not disturbed; one warning', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-nosyslog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), '');
  const closed = await freePort();
  const cases: [string, string][] = [
    [`unix:${dir}/none.sock`, `unix ${dir}/none.sock: ENOENT: no such file or directory, stat '${dir}/none.sock'`],
    [`stream:${dir}/file`, `stream ${dir}/file: not a socket`],
    [`tcp:127.0.0.1:${closed}`, `tcp 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`],
    [`tcp:127.0.0.1:${closed},unix:${dir}/none.sock`, `tcp 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}; unix ${dir}/none.sock: ENOENT: no such file or directory, stat '${dir}/none.sock'`],
  ];
  for (const [logsock, why] of cases) {
    const r = await pluginSession(t, crlf('HELO x', 'NOOP', 'QUIT'), {
      config: { logging: `logging/syslog logsock ${logsock}` },
      plugins: [EVERY_LEVEL, 'log_probe'],
      args: FIXTURE_ARGS,
    });
    t.same(r.lines, [GREETING, HELO_OK, '250 OK', BYE], logsock);
    t.same(r.stderr.replace(/^\d+ /gm, 'P '), `P logging/syslog: cannot log to syslog (${why}); dropping log lines\n`, logsock);
  }
});

/**
 * A TCP port whose listen queue is full (python3: a socket that never
 * accepts), so that a connection to it is never answered: the SYN is dropped.
 */
async function silentPort(t: Test): Promise<number> {
  const python = requireProgram('python3', 'python3');
  const script = [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'port = s.getsockname()[1]; fill = []',
    'for i in range(4):',
    '    c = socket.socket(); c.setblocking(False)',
    '    try: c.connect(("127.0.0.1", port))',
    '    except BlockingIOError: pass',
    '    fill.append(c)',
    'print(port, flush=True); sys.stdin.read()',
  ].join('\n');
  const child = spawn(python, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.stdin!.end();
  });
  return new Promise((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
}

t.test('a syslog that never answers the connection: the session ends in time, one warning', async (t) => {
  const port = await silentPort(t);
  const r = await pluginSession(t, INPUT, { config: { logging: `logging/syslog logsock tcp:127.0.0.1:${port}` }, plugins: [EVERY_LEVEL], args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(r.code, 0);
  t.same(r.stderr.replace(/^\d+ /gm, 'P '), 'P logging/syslog: syslog did not answer within 2000 ms; dropping log lines\n');
});

t.test('nothing is opened before the first line at its level', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { logging: 'logging/syslog loglevel 0 logsock unix:/nonexistent/log.sock' }, plugins: [logLines('helo', [LOGALERT, 'not at level 0'])], args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(r.stderr, '', 'no warning: the socket was never looked at');
});

t.test('broken arguments stop the start-up', async (t) => {
  const cases: [string, string][] = [
    ['loglevel', 'logging/syslog: arguments come in pairs (loglevel, priority, ident, facility, logsock): loglevel'],
    ['level 4', 'logging/syslog: unknown argument level (loglevel, priority, ident, facility, logsock)'],
    ['loglevel LOUD', 'logging/syslog: not a log level: LOUD'],
    ['priority LOG_LOUD', 'logging/syslog: not a syslog priority: LOG_LOUD'],
    ['priority 192', 'logging/syslog: not a syslog priority: 192'],
    ['facility LOG_NOWHERE', 'logging/syslog: not a syslog facility: LOG_NOWHERE'],
    ['ident qp/smtpd', 'logging/syslog: ident may hold letters, digits, "_", "-" and "." only: qp/smtpd'],
    ['logsock console', 'logging/syslog: logsock console: not a socket type here (unix, native, stream, udp, tcp or inet)'],
    ['logsock udp,pipe', 'logging/syslog: logsock pipe: not a socket type here (unix, native, stream, udp, tcp or inet)'],
    ['logsock udp:127.0.0.1:99999', 'logging/syslog: logsock udp:127.0.0.1:99999: not a port'],
    ['logsock tcp:a:b:c', 'logging/syslog: logsock tcp:a:b:c: not host[:port]'],
  ];
  for (const [args, why] of cases) {
    const r = await pluginSession(t, INPUT, { config: { logging: `logging/syslog ${args}` } });
    t.same(r.lines, [UNAVAILABLE], args);
    t.match(r.stderr, `crit start-up failed: plugin logging/syslog (bundled) failed to load: ${why}\n`, args);
  }
});
