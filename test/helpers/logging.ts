// For the logging plugins' tests: the fixture plugins that log lines of known
// levels (log_lines) or refuse (refuse), and the server's stderr as lines.

import { join } from 'node:path';
import { PROJECT_DIR } from './e2e';

/** --plugin-dir for test/fixtures/plugins (log_lines, refuse, log_probe). */
export const FIXTURE_ARGS = ['--plugin-dir', join(PROJECT_DIR, 'test/fixtures/plugins')];

/** A log_lines config line: at `hook`, log each [level, message] (or [level, message, count]). */
export function logLines(hook: string, ...records: [number, string, number?][]): string {
  const words = records.map(([level, message, count]) => `${level}=${encodeURIComponent(message).replace(/\*/g, '%2A')}${count === undefined ? '' : `*${count}`}`);
  return ['log_lines', hook, ...words].join(' ');
}

/** stderr split into lines (without the empty one after the last newline). */
export function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

/** The server's pid, from the first stderr line that starts with one. */
export function serverPid(stderr: string): string {
  const m = /^(\d+) /m.exec(stderr);
  if (!m) throw new Error(`no pid in stderr: ${JSON.stringify(stderr)}`);
  return m[1]!;
}
