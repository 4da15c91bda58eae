// logging/warn [level]: "<pid> (<hook>) <plugin>: <message>" on stderr, as
// qpsmtpd's plugin writes it, for levels up to the given one (LOGWARN by
// default). stderr is caught where the logger writes it (fs.writeSync on fd 2).

import fs from 'node:fs';
import t, { type Test } from 'tap';
import { DECLINED, LOGCRIT, LOGDEBUG, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { crlf, runTranscript, type HarnessOptions, type MockHook } from '../helpers/harness';
import { BYE, GREETING, HELO_OK } from '../helpers/session-tools';

const PID = process.pid;

/** Runs a session and returns what went to stderr, line by line. */
async function stderrOf(t: Test, input: string, options: HarnessOptions): Promise<string[]> {
  const written: string[] = [];
  const original = fs.writeSync;
  const capture = function (this: unknown, fd: number, data: unknown, ...rest: unknown[]): number {
    if (fd === 2 && typeof data === 'string') {
      written.push(data);
      return Buffer.byteLength(data);
    }
    return (original as (...args: unknown[]) => number).call(fs, fd, data, ...rest);
  };
  fs.writeSync = capture as typeof fs.writeSync;
  let lines: string[];
  try {
    const r = await runTranscript(input, options);
    t.teardown(r.cleanup);
    lines = r.lines;
  } finally {
    fs.writeSync = original;
  }
  t.same(lines.slice(0, 2), [GREETING, HELO_OK], 'the session itself is not disturbed');
  return written.join('').split('\n').filter((l) => l !== '');
}

/** A helo hook that logs each [level, message] in turn. */
function logAtHelo(...records: [number, string][]): MockHook {
  return function (this: Plugin) {
    for (const [level, message] of records) this.log(level, message);
    return DECLINED;
  };
}

const RECORDS: [number, string][] = [
  [LOGCRIT, 'crit'],
  [LOGWARN, 'warn'],
  [LOGNOTICE, 'notice'],
  [LOGINFO, 'info'],
  [LOGDEBUG, 'debug'],
];

/** The lines from the mock helo hook. */
function mockLines(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith(`${PID} (helo) mock:`));
}

t.test('format and default level LOGWARN', async (t) => {
  const lines = await stderrOf(t, crlf('HELO x', 'QUIT'), {
    config: { logging: 'logging/warn' },
    hooks: { helo: logAtHelo(...RECORDS, [LOGWARN, 'two\nlines']) },
  });
  t.same(mockLines(lines), [`${PID} (helo) mock: crit`, `${PID} (helo) mock: warn`, `${PID} (helo) mock: two\\nlines`]);
  t.same(lines, mockLines(lines), 'nothing else at LOGWARN in a clean session');
});

t.test('the level argument: a number or a name', async (t) => {
  for (const [arg, wanted] of [
    ['6', ['crit', 'warn', 'notice', 'info']],
    ['LOGNOTICE', ['crit', 'warn', 'notice']],
    ['2', ['crit']],
  ] as [string, string[]][]) {
    const lines = await stderrOf(t, crlf('HELO x', 'QUIT'), {
      config: { logging: `logging/warn ${arg}` },
      hooks: { helo: logAtHelo(...RECORDS) },
    });
    t.same(mockLines(lines), wanted.map((m) => `${PID} (helo) mock: ${m}`), `logging/warn ${arg}`);
  }
});

t.test('core lines: no hook or plugin in the prefix', async (t) => {
  const lines = await stderrOf(t, crlf('HELO x', 'QUIT'), { config: { logging: 'logging/warn LOGINFO' } });
  t.ok(lines.includes(`${PID} dispatching HELO x`), 'a core line');
  t.ok(lines.includes(`${PID} ${BYE}`), 'the reply is logged too');
});

t.test('its own lines are not logged, and the stderr fallback stays off', async (t) => {
  const lines = await stderrOf(t, crlf('HELO x', 'QUIT'), { config: { logging: 'logging/warn 7' } });
  t.notOk(lines.some((l) => l.includes('Initializing')), 'no "Initializing" line from itself');
  t.notOk(lines.some((l) => /^\d+ (debug|info|notice|warn|error|crit|alert|emerg) /.test(l)), 'no line in the fallback format');
});

t.test('a level that is not one stops the start-up', async (t) => {
  await t.rejects(runTranscript(crlf('QUIT'), { config: { logging: 'logging/warn LOUD' } }), /not a log level: LOUD/);
});
