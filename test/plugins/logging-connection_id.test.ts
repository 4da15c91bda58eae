// logging/connection_id through dist/qpsmtpd: logging/warn's job with the
// connection's id in front ("<id> <plugin> plugin: <message>"), the same id
// logging/file puts for %i.

import { readdirSync } from 'node:fs';
import t, { type Test } from 'tap';
import { LOGCRIT, LOGDEBUG, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import { FIXTURE_ARGS, logLines, stderrLines } from '../helpers/logging';
import { BYE, GREETING, HELO_OK, ME, crlf, pluginSession } from '../helpers/plugin-session';

const INPUT = crlf('HELO x', 'QUIT');
const AT_HELO = logLines('helo', [LOGCRIT, 'crit'], [LOGWARN, 'warn'], [LOGNOTICE, 'notice'], [LOGINFO, 'info'], [LOGDEBUG, 'debug'], [LOGWARN, 'two\nlines']);
/** "<unix time>-<pid>-1". */
const ID = /^(\d{10})-(\d+)-1$/;

async function session(t: Test, logging: string | string[], plugins = [AT_HELO]) {
  const r = await pluginSession(t, INPUT, { config: { logging }, plugins, args: FIXTURE_ARGS });
  t.same(r.lines, [GREETING, HELO_OK, BYE], 'the session itself is not disturbed');
  const log = stderrLines(r.stderr);
  const id = log[0]?.split(' ')[0] ?? '';
  return { ...r, log, id };
}

t.test('the id, the format, and LOGWARN by default', async (t) => {
  const r = await session(t, 'logging/connection_id');
  const m = ID.exec(r.id);
  t.ok(m, `${r.id} is <unix time>-<pid>-1`);
  t.ok(Math.abs(Number(m?.[1]) - Date.now() / 1000) < 60, 'the time is now');
  t.same(r.log, [`${r.id} log_lines plugin: crit`, `${r.id} log_lines plugin: warn`, `${r.id} log_lines plugin: two\\nlines`]);
});

t.test('the level argument: a number or a name', async (t) => {
  for (const [arg, wanted] of [
    ['5', ['crit', 'warn', 'notice']],
    ['LOGINFO', ['crit', 'warn', 'notice', 'info']],
    ['crit', ['crit']],
  ] as [string, string[]][]) {
    const r = await session(t, `logging/connection_id ${arg}`);
    const mine = r.log.filter((line) => / log_lines plugin: (crit|warn|notice|info|debug)$/.test(line));
    t.same(mine, wanted.map((m) => `${r.id} log_lines plugin: ${m}`), `logging/connection_id ${arg}`);
  }
});

t.test('lines of the core, of the hook runner, of another logging plugin at start-up', async (t) => {
  const r = await session(t, ['logging/connection_id LOGDEBUG', 'logging/transaction_id 0']);
  const id = r.id;
  t.equal(r.log[0], `${id} Connection from [127.0.0.1] [127.0.0.1]`);
  t.ok(r.log.includes(`${id} logging::transaction_id plugin: Initializing logging::transaction_id plugin`), 'the other plugin\'s line');
  t.same(r.log.filter((line) => line.includes('logging::connection_id plugin:')), [], 'but not its own');
  t.ok(r.log.includes(`${id} running plugin (helo): log_lines`), 'the hook runner: "running plugin (<hook>): <plugin>"');
  t.ok(r.log.includes(`${id} dispatching HELO x`));
  t.ok(r.log.includes(`${id} ${BYE}`));
  t.same(r.log.filter((line) => !line.startsWith(`${id} `)), [], 'the same id on every line');
});

t.test("the id is logging/file's %i", async (t) => {
  const r = await session(t, ['logging/connection_id', 'logging/file loglevel 2 @WORK@/s-%i.log']);
  t.same(readdirSync(r.work.dir).filter((f) => f.startsWith('s-')), [`s-${r.id}.log`]);
});

t.test('a level that is not one stops the start-up', async (t) => {
  const r = await pluginSession(t, INPUT, { config: { logging: 'logging/connection_id LOUD' } });
  t.same(r.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`]);
  t.match(r.stderr, /crit start-up failed: .*logging\/connection_id: not a log level: LOUD\n/);
});
