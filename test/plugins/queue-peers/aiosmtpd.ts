// Python's aiosmtpd as the far side of queue/smtp-forward: a capture server
// (aiosmtpd_capture.py) started per test on a free loopback port, writing
// each envelope and message it accepts to files, and answering 4xx/5xx
// where the test asks it to.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

// Debian's python3 (where python3-aiosmtpd is installed), not whatever python3 is first on PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'aiosmtpd_capture.py');

export interface CaptureOptions {
  /** The reply to every MAIL FROM. */
  mail?: string;
  /** Replies to RCPT TO, by address. */
  rcpt?: Record<string, string>;
  /** The reply to the final dot (no file is kept). */
  data?: string;
  /** Seconds to wait before answering the final dot. */
  dataDelay?: number;
}

export interface CapturedMessage {
  helo: string;
  mail_from: string;
  rcpt_tos: string[];
  /** The commands the server saw in that session, in order. */
  commands: string[];
  /** The message as it arrived (CRLF line ends, dot-stuffing undone). */
  data: Buffer;
}

export interface Capture {
  port: number;
  /** The file holding the n-th accepted message (from 1), for messages too big to read whole. */
  messageFile(n: number): string;
  /** The messages accepted so far, in order. */
  messages(): CapturedMessage[];
}

export async function startCapture(t: Test, options: CaptureOptions = {}): Promise<Capture> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install python3 python3-aiosmtpd`);
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-aiosmtpd-'));
  const args = [SCRIPT, dir];
  if (options.mail) args.push('--mail', options.mail);
  for (const [address, reply] of Object.entries(options.rcpt ?? {})) args.push('--rcpt', `${address}=${reply}`);
  if (options.data) args.push('--data', options.data);
  if (options.dataDelay) args.push('--data-delay', String(options.dataDelay));
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.teardown(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`aiosmtpd did not start: ${stderr}`)), 10000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aiosmtpd exited (${code}): ${stderr}`));
    });
  });
  return {
    port,
    messageFile: (n: number) => join(dir, `${n}.eml`),
    messages: () =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => Number(name.slice(0, -5)))
        .sort((a, b) => a - b)
        .map((n) => ({
          ...(JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as Omit<CapturedMessage, 'data'>),
          data: readFileSync(join(dir, `${n}.eml`)),
        })),
  };
}
