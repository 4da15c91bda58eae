// Shared by the test kit's tests: expected fixed texts and a throw-away
// plugin directory with plugin files written by the test.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const PROJECT_DIR = resolve(__dirname, '../..');
export const VERSION: string = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

export const ME = 'mx.kit.test';
export const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
export const HI = `${ME} Hi [127.0.0.1] [127.0.0.1]`;
export const HELO_OK = `250 ${HI}; I am so happy to meet you.`;
export const EHLO_OK = [`250-${HI}`, '250-PIPELINING', '250 8BITMIME'];
export const SENDER_OK = (addr: string): string => `250 ${addr}, sender OK - how exciting to get mail from you!`;
export const RCPT_OK = (addr: string): string => `250 ${addr}, recipient ok`;
export const BYE = `221 ${ME} closing connection. Have a wonderful day.`;

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
