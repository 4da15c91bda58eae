// Shared by the test kit's tests: expected fixed texts and a throw-away
// plugin directory with plugin files written by the test.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostReplies } from '../helpers/session-tools';

export const ME = 'mx.kit.test';
export const { GREETING, HI, HELO_OK, EHLO_OK, BYE } = hostReplies(ME);
export { PROJECT_DIR } from '../helpers/harness';
export { RCPT_OK, SENDER_OK, VERSION } from '../helpers/session-tools';

/** A temporary directory with the given files (name -> content), removed at teardown. */
export function fileDir(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-kit-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
