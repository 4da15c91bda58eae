// logging/devnull through dist/qpsmtpd: every line is thrown away, and the
// core's own stderr output is off too, at any loglevel; other logging plugins
// still get every line.

import t from 'tap';
import { LOGCRIT, LOGDEBUG, LOGEMERG } from '../../src/constants';
import { FIXTURE_ARGS, logLines, serverPid, stderrLines } from '../helpers/logging';
import { BYE, GREETING, HELO_OK, crlf, pluginSession } from '../helpers/plugin-session';

const INPUT = crlf('HELO x', 'NOOP', 'QUIT');
const NOISE = logLines('helo', [LOGEMERG, 'emergency'], [LOGCRIT, 'critical'], [LOGDEBUG, 'debug']);
// log_probe logs a line at every level at NOOP and answers with a code that is none.
const PLUGINS = [NOISE, 'log_probe'];

t.test('stderr stays empty, even at loglevel 7 and for LOGEMERG lines', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { logging: 'logging/devnull', loglevel: '7' }, plugins: PLUGINS, args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, '250 OK', BYE]);
  t.equal(r.stderr, '');
  t.equal(r.code, 0);
});

t.test('without it, the same session writes to stderr (the fallback)', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { loglevel: '7' }, plugins: PLUGINS, args: FIXTURE_ARGS });
  const pid = serverPid(r.stderr);
  t.ok(stderrLines(r.stderr).includes(`${pid} emerg (helo) log_lines: emergency`));
  t.ok(stderrLines(r.stderr).includes(`${pid} debug (noop) log_probe: level 7`));
});

t.test('it does not take the lines away from the other logging plugins', async (t) => {
  for (const logging of [['logging/devnull', 'logging/warn LOGCRIT'], ['logging/warn LOGCRIT', 'logging/devnull']]) {
    const r = await pluginSession(t, INPUT, { config: { logging }, plugins: PLUGINS, args: FIXTURE_ARGS });
    const pid = serverPid(r.stderr);
    t.same(
      stderrLines(r.stderr),
      [
        `${pid} (helo) log_lines: emergency`,
        `${pid} (helo) log_lines: critical`,
        `${pid} (noop) log_probe: level 0`,
        `${pid} (noop) log_probe: level 1`,
        `${pid} (noop) log_probe: level 2`,
      ],
      logging.join(', '),
    );
  }
});

t.test('listed in config/plugins, it still silences the session (from its loading on)', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { loglevel: '7' }, plugins: ['logging/devnull', ...PLUGINS], args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, '250 OK', BYE]);
  t.same(stderrLines(r.stderr).map((line) => line.replace(/^\d+ /, '')), ['notice Connection from [127.0.0.1] [127.0.0.1]'], 'only the line logged before it was loaded');
});
