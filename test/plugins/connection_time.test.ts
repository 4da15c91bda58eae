// connection_time through dist/qpsmtpd: the line it logs at post-connection,
// read from stderr (log lines are "<pid> <level> (<hook>) <plugin>: <message>").

import t from 'tap';
import { BYE, GREETING, HELO_OK, crlf, pluginSession } from '../helpers/plugin-session';

const SESSION = crlf('HELO x', 'QUIT');
const elapsedAt = (level: string): RegExp => new RegExp(`^\\d+ ${level} \\(post-connection\\) connection_time: \\d+\\.\\d{3} s\\.$`, 'm');

t.test('logs the duration at LOGINFO; the session is not changed', async (t) => {
  const r = await pluginSession(t, SESSION, { plugins: ['connection_time'] });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.match(r.stderr, elapsedAt('info'));
  t.notMatch(r.stderr, /connection_time: started at/, 'the start is logged at LOGDEBUG only');

  const quiet = await pluginSession(t, SESSION, { plugins: ['connection_time'], config: { loglevel: '5' } });
  t.notMatch(quiet.stderr, /connection_time/, 'nothing below the threshold');
});

t.test('the start is logged at LOGDEBUG (pre-connection runs before connect; the first one counts)', async (t) => {
  const r = await pluginSession(t, SESSION, { plugins: ['connection_time'], config: { loglevel: '7' } });
  t.match(r.stderr, /^\d+ debug \(pre-connection\) connection_time: started at \d+(\.\d+)?$/m);
  t.notMatch(r.stderr, /\(connect\) connection_time: started/);
  t.match(r.stderr, elapsedAt('info'));
});

t.test('loglevel: a level, or a shift of every line', async (t) => {
  const cases: [string, string][] = [
    ['connection_time loglevel 5', 'notice'],
    ['connection_time loglevel -1', 'notice'],
    ['connection_time loglevel +1', 'debug'],
    ['connection_time LOGNOTICE', 'notice'],
    ['connection_time 3', 'error'],
    ['connection_time LOGNOSUCHLEVEL', 'info'],
  ];
  for (const [plugin, level] of cases) {
    const r = await pluginSession(t, SESSION, { plugins: [plugin], config: { loglevel: '7' } });
    t.match(r.stderr, elapsedAt(level), plugin);
  }
  const shifted = await pluginSession(t, SESSION, { plugins: ['connection_time LOGNOTICE'], config: { loglevel: '7' } });
  t.match(shifted.stderr, /notice \(pre-connection\) connection_time: started at/, 'the old form moves every line');
});

t.test('odd key/value arguments are logged', async (t) => {
  const r = await pluginSession(t, SESSION, { plugins: ['connection_time a b c'] });
  t.match(r.stderr, /error connection_time: invalid arguments/);
});

t.test('a connection refused before its start hooks ran logs "Start time not set?!"', async (t) => {
  const r = await pluginSession(t, SESSION, {
    plugins: ['hosts_allow', 'connection_time'],
    config: { hosts_allow: '127.0.0.1 DENY go away' },
  });
  t.same(r.lines, ['550 go away']);
  t.match(r.stderr, /error \(post-connection\) connection_time: Start time not set\?!/);
});
