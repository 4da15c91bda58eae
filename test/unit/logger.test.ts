// src/log/logger: records held back until the logging plugins are loaded,
// and the fallback line format.

import t from 'tap';
import { LOGDEBUG, LOGINFO, LOGWARN } from '../../src/constants';
import { Logger, formatLogLine, type LogRecord } from '../../src/log/logger';

t.test('hold() keeps records back; release() sends them, in order, where records go then', async (t) => {
  const logger = new Logger();
  const seen: string[] = [];
  logger.hold();
  logger.log(LOGINFO, undefined, undefined, ['first']);
  logger.log(LOGDEBUG, 'connect', 'p', ['second', 2]);
  t.same(seen, [], 'nothing dispatched while held');
  logger.setDispatcher((record: LogRecord) => {
    seen.push(`${record.level} ${record.hook ?? '-'} ${record.plugin ?? '-'} ${record.message}`);
    return true;
  });
  logger.release();
  t.same(seen, ['6 - - first', '7 connect p second 2'], 'above the stderr threshold too: logging plugins see every level');
  logger.log(LOGWARN, undefined, undefined, ['after']);
  t.same(seen.at(-1), '4 - - after', 'after release, straight through');
  logger.release();
  t.equal(seen.length, 3, 'a second release sends nothing again');
});

t.test('formatLogLine: level, hook, plugin; the hook runner\'s lines say "running plugin"', async (t) => {
  const pid = process.pid;
  t.equal(formatLogLine({ level: LOGWARN, hook: 'rcpt', plugin: 'rcpt_ok', message: 'a\nb' }), `${pid} warn (rcpt) rcpt_ok: a\\nb\n`);
  t.equal(formatLogLine({ level: LOGDEBUG, hook: 'rcpt', plugin: undefined, message: 'rcpt_ok' }), `${pid} debug (rcpt) running plugin: rcpt_ok\n`);
  t.equal(formatLogLine({ level: LOGINFO, hook: undefined, plugin: undefined, message: 'core' }), `${pid} info core\n`);
});
