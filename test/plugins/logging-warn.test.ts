// logging/warn through dist/qpsmtpd: "<pid> (<hook>) <plugin>: <message>" on
// stderr, as qpsmtpd's plugin writes it, for the levels up to its argument
// (LOGWARN by default); the core's own stderr lines are off.

import t, { type Test } from 'tap';
import { LOGCRIT, LOGDEBUG, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { FIXTURE_ARGS, logLines, serverPid, stderrLines } from '../helpers/logging';
import { BYE, GREETING, HELO_OK, ME, crlf, pluginSession } from '../helpers/plugin-session';

const INPUT = crlf('HELO x', 'QUIT');
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

/** log_lines at HELO: one line at each level from LOGCRIT to LOGDEBUG, named after it. */
const AT_HELO = logLines('helo', [LOGCRIT, 'crit'], [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGINFO, 'info'], [LOGDEBUG, 'debug']);

async function session(t: Test, logging: string | string[], plugins = [AT_HELO]) {
  const r = await pluginSession(t, INPUT, { config: { logging }, plugins, args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, BYE], 'the session itself is not disturbed');
  return { ...r, pid: r.stderr ? serverPid(r.stderr) : '', log: stderrLines(r.stderr) };
}

t.test('the format, and LOGWARN by default: nothing else in a clean session', async (t) => {
  const r = await session(t, 'logging/warn', [logLines('helo', [LOGCRIT, 'crit'], [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGWARN, 'two\nlines'])]);
  t.same(r.log, [`${r.pid} (helo) log_lines: crit`, `${r.pid} (helo) log_lines: warn`, `${r.pid} (helo) log_lines: two\\nlines`]);
});

t.test('the level argument: a number or a name', async (t) => {
  const cases: [string, string[]][] = [
    ['6', ['crit', 'warn', 'notice', 'info']],
    ['LOGNOTICE', ['crit', 'warn', 'notice']],
    ['debug', ['crit', 'warn', 'notice', 'info', 'debug']],
    ['2', ['crit']],
  ];
  for (const [arg, wanted] of cases) {
    const r = await session(t, `logging/warn ${arg}`);
    const mine = r.log.filter((line) => /^\d+ \(helo\) log_lines: (crit|warn|notice|info|debug)$/.test(line));
    t.same(mine, wanted.map((m) => `${r.pid} (helo) log_lines: ${m}`), `logging/warn ${arg}`);
  }
});

t.test("lines without a hook or a plugin: the core's, the hook runner's, a plugin's at start-up", async (t) => {
  const r = await session(t, 'logging/warn LOGDEBUG', [logLines('register', [LOGWARN, 'loading']), AT_HELO]);
  const pid = r.pid;
  t.equal(r.log[0], `${pid} Connection from [127.0.0.1] [127.0.0.1]`, 'the core: the pid and the message');
  t.ok(r.log.includes(`${pid} log_lines: loading`), 'a plugin outside a hook: "<pid> <plugin>:"');
  t.ok(r.log.includes(`${pid} (helo) running plugin: log_lines`), 'the hook runner: "<pid> (<hook>) running plugin: <plugin>"');
  t.ok(r.log.includes(`${pid} dispatching HELO x`));
  t.ok(r.log.includes(`${pid} ${BYE}`), 'the replies are logged too');
});

t.test('its own lines are not logged, and the stderr fallback stays off', async (t) => {
  const r = await session(t, 'logging/warn 7');
  t.same(r.log.filter((line) => line.includes('Initializing')), [], 'no "Initializing logging::warn plugin"');
  t.same(r.log.filter((line) => /^\d+ (debug|info|notice|warn|error|crit|alert|emerg) /.test(line)), [], 'no line in the fallback format');
  t.ok(r.log.length > 5, 'but everything else');
});

t.test('two instances write each line twice; a later logging plugin still sees every line', async (t) => {
  const r = await session(t, ['logging/warn:1 LOGCRIT', 'logging/warn:2 LOGWARN']);
  t.same(r.log, [`${r.pid} (helo) log_lines: crit`, `${r.pid} (helo) log_lines: crit`, `${r.pid} (helo) log_lines: warn`]);
});

t.test('a level that is not one stops the start-up', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { logging: 'logging/warn LOUD' } });
  t.same(r.lines, [UNAVAILABLE]);
  t.equal(r.code, 1);
  t.match(r.stderr, /crit start-up failed: plugin logging\/warn \(bundled\) failed to load: logging\/warn: not a log level: LOUD\n/);
});
